-- The Slack bot's record of what it sent, so that no tweet reaches the channel twice, also after
-- a crash and a redelivery of its queue batch. A row is committed before the bot sends the
-- post and confirmed after Slack answered 2xx. The bot deletes the row again only when it knows
-- that Slack did not take the post (an error status or a refused connection). A row whose
-- confirmed_at stays null therefore marks a post whose outcome the bot never learned: it was
-- killed, or the request timed out, while the post was in flight. Such a tweet is not posted
-- again; it may or may not be in the channel. The code is in services/slackbot/PostedStore.cs.

create schema slackbot;

create table slackbot.digests (
    period_start timestamptz primary key,
    period_end   timestamptz not null,
    tweet_count  integer not null,
    posted_at    timestamptz not null,
    confirmed_at timestamptz
);

comment on table slackbot.digests is 'One row per digest period that the bot posted or started to post; a period is never posted twice.';
comment on column slackbot.digests.period_start is 'Start of the period, inclusive: the digest lists tweets created from period_start up to period_end, exclusive.';
comment on column slackbot.digests.posted_at is 'When the bot reserved the period and started the post.';
comment on column slackbot.digests.confirmed_at is 'When Slack answered 2xx; null while the post is in flight, or for good when the bot never learned the outcome.';

create table slackbot.posted (
    tweet_id            bigint primary key,
    posted_at           timestamptz not null,
    confirmed_at        timestamptz,
    digest_period_start timestamptz references slackbot.digests (period_start) on delete cascade
);

comment on table slackbot.posted is 'Tweets the bot posted, or started to post, to Slack: on their own or in a digest.';
comment on column slackbot.posted.posted_at is 'When the bot reserved the tweet and started the post.';
comment on column slackbot.posted.confirmed_at is 'When Slack answered 2xx; null while the post is in flight, or for good when the bot never learned the outcome.';
comment on column slackbot.posted.digest_period_start is 'The digest that listed the tweet; null for a tweet posted on its own because it matched the rules.';

create index posted_digest_period_start on slackbot.posted (digest_period_start) where digest_period_start is not null;
