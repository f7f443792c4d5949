-- The relational copy of every tweet that the Postgres writer receives from the queue. Tables
-- live in the public schema so that analysts write `select ... from tweets`. Rows are written
-- idempotently by id: a redelivered message rewrites the same values, and an observation older
-- than the stored one changes nothing, except that a tweet's own message replaces a row that
-- only a referenced copy wrote. The upserts are in services/postgres-writer/TweetStore.cs.

create table public.users (
    id                bigint primary key,
    username          text,
    name              text,
    created_at        timestamptz,
    description       text,
    location          text,
    verified          boolean,
    verified_type     text,
    protected         boolean,
    profile_image_url text,
    followers_count   bigint,
    following_count   bigint,
    tweet_count       bigint,
    listed_count      bigint,
    observed_at       timestamptz not null,
    raw               jsonb not null,
    first_stored_at   timestamptz not null,
    updated_at        timestamptz not null
);

comment on table public.users is 'Authors of stored tweets, as the newest observation delivered them.';
comment on column public.users.observed_at is 'When the collector read the page that delivered this version of the user (the message''s collected_at).';
comment on column public.users.raw is 'The user object as the API delivered it, with U+0000 in strings replaced by U+FFFD.';

create index users_username on public.users (lower(username));

create table public.tweets (
    id                  bigint primary key,
    author_id           bigint,
    text                text not null,
    full_text           text not null,
    created_at          timestamptz,
    lang                text,
    source              text,
    conversation_id     bigint,
    in_reply_to_user_id bigint,
    reply_settings      text,
    possibly_sensitive  boolean,
    retweet_count       bigint,
    reply_count         bigint,
    like_count          bigint,
    quote_count         bigint,
    impression_count    bigint,
    bookmark_count      bigint,
    metrics_observed_at timestamptz not null,
    edit_history_ids    bigint[] not null default '{}',
    raw                 jsonb not null,
    referenced_only     boolean not null,
    collected_at        timestamptz not null,
    first_stored_at     timestamptz not null,
    updated_at          timestamptz not null
);

comment on table public.tweets is 'Every collected tweet, and every tweet that a collected tweet retweeted, quoted or replied to when the API included it.';
comment on column public.tweets.author_id is 'The author''s user id; the users row exists when the page included the author.';
comment on column public.tweets.text is 'The text as the API delivered it; a long post is cut at 280 characters here.';
comment on column public.tweets.full_text is 'The whole text: note_tweet.text for a long post, otherwise text. A retweet''s text is cut; its original''s full_text is reached through referenced_tweets.';
comment on column public.tweets.metrics_observed_at is 'When the collector read the page whose counts the metric columns hold; an older observation never overwrites them.';
comment on column public.tweets.edit_history_ids is 'Ids of every version of the tweet, oldest first, as edit_history_tweet_ids lists them.';
comment on column public.tweets.raw is 'The tweet object as the API delivered it, with U+0000 in strings replaced by U+FFFD.';
comment on column public.tweets.referenced_only is 'True while the tweet is known only because a collected tweet referenced it; false once its own queue message stored it.';
comment on column public.tweets.collected_at is 'When the collector read the newest page that delivered this tweet.';
comment on column public.tweets.first_stored_at is 'When the writer first stored the tweet.';
comment on column public.tweets.updated_at is 'When the writer last rewrote the row, also with unchanged values after a redelivery.';

create index tweets_author_id on public.tweets (author_id);
create index tweets_created_at on public.tweets (created_at);
create index tweets_conversation_id on public.tweets (conversation_id);

-- Entity tables hold the entities of each tweet's stored version. Position is the entity's index
-- in the API's array; start and "end" are the API's offsets in Unicode code points, end exclusive.

create table public.hashtags (
    tweet_id bigint not null,
    position integer not null,
    tag      text not null,
    start    integer,
    "end"    integer,
    primary key (tweet_id, position)
);

comment on table public.hashtags is 'Hashtags in the tweet text, without the leading #.';
comment on column public.hashtags.start is 'Offset in Unicode code points: substr(tweets.full_text, start + 1, "end" - start) extracts the entity in a UTF-8 database.';

create index hashtags_tag on public.hashtags (lower(tag));

create table public.cashtags (
    tweet_id bigint not null,
    position integer not null,
    tag      text not null,
    start    integer,
    "end"    integer,
    primary key (tweet_id, position)
);

comment on table public.cashtags is 'Cashtags in the tweet text, without the leading $.';
comment on column public.cashtags.start is 'Offset in Unicode code points: substr(tweets.full_text, start + 1, "end" - start) extracts the entity in a UTF-8 database.';

create index cashtags_tag on public.cashtags (lower(tag));

create table public.mentions (
    tweet_id bigint not null,
    position integer not null,
    user_id  bigint,
    username text not null,
    start    integer,
    "end"    integer,
    primary key (tweet_id, position)
);

comment on table public.mentions is 'Users mentioned in the tweet text; user_id is null when the API did not resolve the username.';
comment on column public.mentions.start is 'Offset in Unicode code points: substr(tweets.full_text, start + 1, "end" - start) extracts the entity in a UTF-8 database.';

create index mentions_user_id on public.mentions (user_id);

create table public.urls (
    tweet_id     bigint not null,
    position     integer not null,
    url          text not null,
    expanded_url text,
    display_url  text,
    unwound_url  text,
    title        text,
    start        integer,
    "end"        integer,
    primary key (tweet_id, position)
);

comment on table public.urls is 'Links in the tweet text: the t.co url, where it expands to and, when the API unwound it, where it finally led.';
comment on column public.urls.start is 'Offset in Unicode code points: substr(tweets.full_text, start + 1, "end" - start) extracts the entity in a UTF-8 database.';

create table public.referenced_tweets (
    tweet_id      bigint not null,
    referenced_id bigint not null,
    type          text not null,
    primary key (tweet_id, type, referenced_id)
);

comment on table public.referenced_tweets is 'Links from a tweet to the tweets it retweeted, quoted or replied to; the referenced tweet has a tweets row when the API included it.';
comment on column public.referenced_tweets.type is 'retweeted, quoted or replied_to, as the API names the link.';

create index referenced_tweets_referenced_id on public.referenced_tweets (referenced_id);

create view public.tweets_with_authors as
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
       t.referenced_only
  from public.tweets t
  left join public.users u on u.id = t.author_id;

comment on view public.tweets_with_authors is 'Tweets with their author''s username and name; author columns are null when the author was never delivered.';
