-- Fields of the X API v2 tweet and user objects that 0004 did not cover: a tweet's edit controls
-- and community, and the likes a user has given. Filled from the stored raw JSON for existing rows.
-- An id is read only when it is a decimal string within bigint, as the writer reads it.

alter table public.tweets
    add column community_id     bigint,
    add column is_edit_eligible boolean,
    add column editable_until   timestamptz,
    add column edits_remaining  integer;

comment on column public.tweets.community_id is 'Id of the X Community the tweet was posted in; null for a tweet outside communities.';
comment on column public.tweets.is_edit_eligible is 'Whether the tweet could be edited when it was collected (edit_controls.is_edit_eligible).';
comment on column public.tweets.editable_until is 'Until when the author may edit the tweet (edit_controls.editable_until).';
comment on column public.tweets.edits_remaining is 'How many edits the author had left when the tweet was collected (edit_controls.edits_remaining).';

update public.tweets
   set community_id = case when raw ->> 'community_id' ~ '^[0-9]{1,19}$'
                           then case when (raw ->> 'community_id')::numeric <= 9223372036854775807 then (raw ->> 'community_id')::bigint end end,
       is_edit_eligible = case when jsonb_typeof(raw #> '{edit_controls,is_edit_eligible}') = 'boolean'
                               then (raw #>> '{edit_controls,is_edit_eligible}')::boolean end,
       editable_until = case when raw #>> '{edit_controls,editable_until}' ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$'
                             then (raw #>> '{edit_controls,editable_until}')::timestamptz end,
       -- Recorded pages write edits_remaining as a string ("4"), the spec as an integer.
       edits_remaining = case when raw #>> '{edit_controls,edits_remaining}' ~ '^\d{1,9}$'
                              then (raw #>> '{edit_controls,edits_remaining}')::integer end
 where raw ? 'community_id' or raw ? 'edit_controls';

alter table public.users
    add column like_count bigint;

comment on column public.users.like_count is 'How many posts the user had liked when observed (public_metrics.like_count, in the newer API only).';

update public.users
   set like_count = case when raw #>> '{public_metrics,like_count}' ~ '^\d{1,18}$'
                         then (raw #>> '{public_metrics,like_count}')::bigint end
 where raw #> '{public_metrics,like_count}' is not null;
