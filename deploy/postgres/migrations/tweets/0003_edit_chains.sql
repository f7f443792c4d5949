-- Edited posts. The X API gives every version of an edited post its own id, and each version's
-- edit_history_tweet_ids lists the ids of all versions known when it was read, oldest first. The
-- writer stores each version as its own row (tweets.edit_history_ids), so counting rows counts an
-- edited post once per version. This view links each version to its chain and marks the latest.

-- The first id of an edit history is the original post's id, the same for every version.
create index tweets_edit_chain_id on public.tweets ((coalesce(edit_history_ids[1], id)));

create view public.tweet_versions as
select t.id,
       coalesce(t.edit_history_ids[1], t.id) as edit_chain_id,
       -- Post ids grow with time and an edit is a newer post, so the highest stored id of a
       -- chain is its latest stored version.
       t.id = max(t.id) over (partition by coalesce(t.edit_history_ids[1], t.id)) as is_latest
  from public.tweets t;

comment on view public.tweet_versions is 'Every stored tweet with the id of its edit chain (the original post) and whether it is the latest stored version; count the rows where is_latest to count each post once, however often it was edited.';
comment on column public.tweet_versions.edit_chain_id is 'Id of the original post: the first id of edit_history_ids, or the tweet''s own id when the API sent no edit history.';
comment on column public.tweet_versions.is_latest is 'True for the stored version with the highest id in its chain. NOTE: a newer version that was never collected is not known here, so an older stored version stays marked latest until it arrives.';
