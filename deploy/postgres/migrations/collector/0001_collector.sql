-- The collector's own state: which tweets it enqueued, how far each source got, and the input
-- lines it could not read. A page's rows here and its queue messages commit in one transaction.

create schema if not exists collector;

-- One row per tweet id ever enqueued. The hash is the SHA-256 of the tweet object as last
-- enqueued, rewritten as compact JSON so that whitespace and string escapes do not count: the
-- same object seen again is skipped, a changed one (newer metrics, say) is enqueued again as a
-- new observation.
create table collector.seen_tweets (
    tweet_id      bigint primary key,
    payload_hash  bytea not null,
    first_seen_at timestamptz not null,
    last_seen_at  timestamptz not null,
    observations  integer not null
);

-- How far each source got. A file source (key 'file:<path>') stores the last line it committed
-- and a fingerprint of the file's first line, so that a replaced file is read from the start.
-- A search source (key 'recent_search:<query>') stores the newest id of its last finished poll,
-- and while a poll is paging, the next_token to continue with and the newest id seen so far.
create table collector.checkpoints (
    source_key       text primary key,
    newest_id        bigint,
    poll_newest_id   bigint,
    next_token       text,
    file_path        text,
    file_fingerprint bytea,
    line_number      bigint,
    updated_at       timestamptz not null
);

-- Input lines that are not X API response pages (invalid JSON, a truncated last line), kept
-- with the parser's error and the text as read so that nothing is dropped unseen.
create table collector.rejected_lines (
    id          bigint generated always as identity primary key,
    file_path   text not null,
    line_number bigint not null,
    error       text not null,
    raw_text    text not null,
    rejected_at timestamptz not null,
    unique (file_path, line_number)
);
