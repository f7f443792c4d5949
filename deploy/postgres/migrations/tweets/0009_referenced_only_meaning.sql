-- The collector marks the envelope of a tweet that a page delivered only in includes.tweets, and
-- the writer stores that mark in referenced_only. Before, every tweet that came in a message of
-- its own was stored with referenced_only false, so the column did not tell such tweets apart.
-- Rows stored before this migration keep their value until the tweet is collected again.
comment on column public.tweets.referenced_only is 'True while every page that delivered the tweet had it only in includes (or inside another tweet''s message), because a collected tweet retweeted, quoted or replied to it: it did not match the query or stream rules itself. False once a page delivered it in data.';
