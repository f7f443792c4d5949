-- Views and a function for the questions people most often ask of the tweet tables. Each leaves
-- out tweets flagged deleted (tweets.deleted_at), so counts match what is still public; the base
-- tables keep them. A view gains columns only at its end, so grants on it and objects that depend
-- on it stay.

create or replace view public.tweets_with_authors as
select t.id,
       t.created_at,
       t.author_id,
       u.username as author_username,
       u.name     as author_name,
       t.full_text,
       t.lang,
       t.retweet_count,
       t.reply_count,
       t.like_count,
       t.quote_count,
       t.referenced_only,
       s.negative as sentiment_negative,
       s.neutral  as sentiment_neutral,
       s.positive as sentiment_positive,
       s.compound as sentiment_compound,
       s.label    as sentiment_label,
       coalesce(t.like_count, 0) + coalesce(t.retweet_count, 0) + coalesce(t.reply_count, 0) + coalesce(t.quote_count, 0) as engagement,
       t.impression_count,
       t.conversation_id,
       t.place_id,
       t.poll_id
  from public.tweets t
  left join public.users u on u.id = t.author_id
  left join public.tweet_sentiment s on s.tweet_id = t.id
 where t.deleted_at is null;

comment on view public.tweets_with_authors is 'Tweets that are not flagged deleted, with their author''s username and name and their sentiment scores; author columns are null when the author was never delivered, sentiment columns when the tweet was not scored yet.';
comment on column public.tweets_with_authors.engagement is 'like_count + retweet_count + reply_count + quote_count, a missing count taken as 0. A retweet carries its original''s counts.';

create or replace view public.tweet_versions as
select t.id,
       coalesce(t.edit_history_ids[1], t.id) as edit_chain_id,
       -- Post ids grow with time and an edit is a newer post, so the highest stored id of a
       -- chain is its latest stored version.
       t.id = max(t.id) over (partition by coalesce(t.edit_history_ids[1], t.id)) as is_latest
  from public.tweets t
 where t.deleted_at is null;

comment on view public.tweet_versions is 'Every stored tweet that is not flagged deleted, with the id of its edit chain (the original post) and whether it is the latest stored version; count the rows where is_latest to count each post once, however often it was edited.';

create view public.hashtag_counts_hourly as
select date_trunc('hour', t.created_at, 'UTC') as hour,
       lower(h.tag) as tag,
       count(distinct v.edit_chain_id) as tweets
  from public.hashtags h
  join public.tweets t on t.id = h.tweet_id
  join public.tweet_versions v on v.id = t.id and v.is_latest
 where not t.referenced_only
   and t.created_at is not null
 group by 1, 2;

comment on view public.hashtag_counts_hourly is 'How many collected posts used each hashtag in each hour of their creation (UTC). A post counts once per tag, however often it was edited or repeats the tag: only the latest stored version of an edit chain counts. Tweets known only as references of collected ones, and tweets flagged deleted, are left out.';
comment on column public.hashtag_counts_hourly.hour is 'Start of the hour (UTC) in which the posts were created.';
comment on column public.hashtag_counts_hourly.tag is 'The hashtag without #, in lower case, so #Brexit and #brexit count together.';
comment on column public.hashtag_counts_hourly.tweets is 'Number of posts (edit chains) with the hashtag created in that hour.';

create function public.top_tweets(from_time timestamptz, to_time timestamptz, max_rows integer default 10)
returns table (
    id               bigint,
    created_at       timestamptz,
    author_id        bigint,
    author_username  text,
    full_text        text,
    engagement       bigint,
    like_count       bigint,
    retweet_count    bigint,
    reply_count      bigint,
    quote_count      bigint,
    impression_count bigint,
    referenced_only  boolean)
language sql
stable
as $$
    select w.id, w.created_at, w.author_id, w.author_username, w.full_text, w.engagement,
           w.like_count, w.retweet_count, w.reply_count, w.quote_count, w.impression_count, w.referenced_only
      from public.tweets_with_authors w
      join public.tweet_versions v on v.id = w.id and v.is_latest
     where w.created_at >= from_time
       and w.created_at < to_time
       -- A retweet carries its original's counts, so ranking it would list the original twice.
       and not exists (select 1 from public.referenced_tweets r where r.tweet_id = w.id and r.type = 'retweeted')
     order by w.engagement desc, w.id desc
     limit max_rows
$$;

comment on function public.top_tweets(timestamptz, timestamptz, integer) is 'The max_rows posts created in [from_time, to_time) with the highest engagement (likes + retweets + replies + quotes when last collected), highest first, ties by newest id. Retweets, older versions of edited posts and tweets flagged deleted are left out; referenced_only tells apart the originals that are stored only because a collected tweet referenced them. Example: select * from top_tweets(now() - interval ''1 day'', now(), 20).';

-- NOTE: PostgreSQL cannot push a filter on conversation_id into a recursive query, so every
-- query of this view walks all stored threads; on a large table, copy the query and restrict its
-- first part to one conversation.
create view public.reply_threads as
with recursive thread as (
    -- A thread starts at each stored tweet whose parent is not stored: the conversation's root,
    -- or a reply to a tweet that was never collected.
    select t.conversation_id,
           t.id as tweet_id,
           p.referenced_id as parent_id,
           0 as depth,
           t.id as start_id,
           array[t.id] as path
      from public.tweets t
      left join public.referenced_tweets p on p.tweet_id = t.id and p.type = 'replied_to'
     where t.deleted_at is null
       and not exists (select 1 from public.tweets parent
                        where parent.id = p.referenced_id and parent.deleted_at is null)
       and not exists (select 1 from public.referenced_tweets rt
                        where rt.tweet_id = t.id and rt.type = 'retweeted')
    union all
    select c.conversation_id,
           c.id,
           thread.tweet_id,
           thread.depth + 1,
           thread.start_id,
           thread.path || c.id
      from thread
      join public.referenced_tweets r on r.referenced_id = thread.tweet_id and r.type = 'replied_to'
      join public.tweets c on c.id = r.tweet_id and c.deleted_at is null
     -- The API never links a tweet to its own reply, but a cycle in stored data must not loop.
     where c.id <> all (thread.path)
)
select coalesce(thread.conversation_id, thread.start_id) as conversation_id,
       thread.start_id = coalesce(thread.conversation_id, thread.start_id) as reaches_root,
       thread.start_id,
       thread.tweet_id,
       thread.parent_id,
       thread.depth,
       t.author_id,
       t.created_at,
       t.full_text
  from thread
  join public.tweets t on t.id = thread.tweet_id
  join public.tweet_versions v on v.id = thread.tweet_id and v.is_latest;

comment on view public.reply_threads is 'Reply trees by conversation: each stored tweet (not a retweet, not flagged deleted, latest version of an edited post) with the tweet it replies to and its depth. Example: select * from reply_threads where conversation_id = 1440716895355764743 order by depth, created_at.';
comment on column public.reply_threads.conversation_id is 'Id of the conversation, which is the id of its root post (tweets.conversation_id).';
comment on column public.reply_threads.reaches_root is 'True when every tweet from this one up to the conversation''s root post is stored, so depth counts replies from the root. False when the chain stops at a reply whose parent was not collected.';
comment on column public.reply_threads.start_id is 'The first stored tweet of the chain: the root post when reaches_root, otherwise the reply whose parent is missing.';
comment on column public.reply_threads.parent_id is 'The tweet this one replies to (its replied_to reference); null for the root post.';
comment on column public.reply_threads.depth is 'Replies between start_id and this tweet: 0 for start_id itself, 1 for a direct reply to it, and so on.';
