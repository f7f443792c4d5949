-- Full-text search over the whole text of each post. The index is on the same expression that
-- docs/querying.md searches, to_tsvector('english', full_text), so such a search reads the
-- index instead of parsing every row. Creating it locks writes to tweets for as long as the
-- build takes, once, when the writer that brings this migration starts.
create index tweets_full_text_english on public.tweets using gin (to_tsvector('english', full_text));

comment on index public.tweets_full_text_english is 'Full-text search in English: where to_tsvector(''english'', full_text) @@ websearch_to_tsquery(''english'', ''...'') uses it.';
