-- VADER sentiment scores of every stored tweet, one row per tweet. The Postgres writer scores a
-- tweet whenever it writes the tweet row, in the same transaction, and `postgres-writer rescore`
-- recomputes rows whose lexicon_version differs from the writer's lexicon. The statements are in
-- services/postgres-writer/TweetStore.cs.

create table public.tweet_sentiment (
    -- Deleting a tweet deletes its scores, for example when a deleted post is removed.
    tweet_id           bigint primary key references public.tweets (id) on delete cascade,
    negative           double precision not null,
    neutral            double precision not null,
    positive           double precision not null,
    compound           double precision not null,
    label              text not null check (label in ('positive', 'neutral', 'negative')),
    scored_text_source text not null check (scored_text_source in ('full_text', 'retweeted_original')),
    lexicon_version    text not null,
    scored_at          timestamptz not null
);

comment on table public.tweet_sentiment is 'VADER sentiment scores of each stored tweet, computed on its whole text (tweets.full_text), or on the full text of the retweeted original for a retweet.';
comment on column public.tweet_sentiment.negative is 'Share of the text''s sentiment weight that is negative, 0 to 1, rounded to 3 decimals as the VADER reference implementation rounds.';
comment on column public.tweet_sentiment.neutral is 'Share of the text''s sentiment weight that is neutral, 0 to 1, rounded to 3 decimals.';
comment on column public.tweet_sentiment.positive is 'Share of the text''s sentiment weight that is positive, 0 to 1, rounded to 3 decimals.';
comment on column public.tweet_sentiment.compound is 'Normalised sum of the valences, -1 (most negative) to 1 (most positive), rounded to 4 decimals.';
comment on column public.tweet_sentiment.label is 'positive when compound >= 0.05, negative when compound <= -0.05, otherwise neutral (the thresholds the VADER authors recommend).';
comment on column public.tweet_sentiment.scored_text_source is 'full_text: the tweet''s own full_text was scored. retweeted_original: the tweet is a retweet and the full_text of its original was scored, because a retweet''s own text is the cut "RT @user: ..." form.';
comment on column public.tweet_sentiment.lexicon_version is 'First 12 hex digits of the SHA-256 of the VADER lexicon files that produced the scores.';
comment on column public.tweet_sentiment.scored_at is 'When the writer, or the rescore command, computed the scores.';

-- A view can gain columns at its end in place, so grants on it and objects that depend on it stay.
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
       s.label    as sentiment_label
  from public.tweets t
  left join public.users u on u.id = t.author_id
  left join public.tweet_sentiment s on s.tweet_id = t.id;

comment on view public.tweets_with_authors is 'Tweets with their author''s username and name and their sentiment scores; author columns are null when the author was never delivered, sentiment columns when the tweet was not scored yet.';
