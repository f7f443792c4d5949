-- Full-archive search and the filtered stream keep their state in the tables of 0001. These
-- comments say how, for readers of the schema (\d+ in psql).

comment on column collector.checkpoints.source_key is
    'The source: file:<path>; recent_search:<query> or full_archive_search:<query>, followed by the configured range in brackets when one is set; filtered_stream for the stream, whose newest_id is that of the newest stream tweet committed.';

comment on column collector.rejected_lines.file_path is
    'The file the line came from, or for the filtered stream ''filtered_stream connection <n> (opened <time>)'', the connection it came on.';

comment on column collector.rejected_lines.line_number is
    'The 1-based line number within the file, or within the stream connection.';
