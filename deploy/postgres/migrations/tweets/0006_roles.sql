-- Two roles for the tweet tables. Roles belong to the whole PostgreSQL cluster, so they are created
-- only when missing; privileges belong to this database and are granted here.
--
-- tweets_writer: the Postgres writer switches to it (set local role) for each tweet transaction,
-- so a faulty statement that writes anywhere but its tables fails. It cannot log in.
-- analyst: reads the tables and views of the public schema and nothing else. It can log in once
-- the writer has set its password from Database:AnalystPassword at start.

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'tweets_writer') then
        create role tweets_writer nologin;
    end if;
exception
    -- Another database of the cluster created it in the meantime.
    when duplicate_object or unique_violation then null;
end
$$;

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'analyst') then
        create role analyst nologin;
    end if;
exception
    when duplicate_object or unique_violation then null;
end
$$;

comment on role tweets_writer is 'The role the Postgres writer switches to for its tweet writes: it may change only the tweet tables of the public schema.';
comment on role analyst is 'Read-only access to the tables and views of the public schema of the tweet database; it logs in with the password of the writer''s Database:AnalystPassword setting.';

-- The connecting user runs `set role tweets_writer`, which needs membership unless it is a superuser.
do $$
begin
    if not (select rolsuper from pg_roles where rolname = current_user)
       and not pg_has_role(current_user, 'tweets_writer', 'member') then
        execute format('grant tweets_writer to %I', current_user);
    end if;
end
$$;

grant usage on schema public to tweets_writer, analyst;

-- select is needed too, because the upserts read the stored row (on conflict ... where) and the
-- deletions read the tombstones.
grant select, insert, update, delete on
    public.users, public.tweets, public.hashtags, public.cashtags, public.mentions, public.urls,
    public.referenced_tweets, public.tweet_sentiment, public.context_annotations,
    public.entity_annotations, public.media, public.tweet_media, public.places, public.polls,
    public.poll_options, public.deleted_tweets
    to tweets_writer;

grant select on all tables in schema public to analyst;

-- Tables and views that later migrations create in public, as the user that runs them, are
-- readable by the analyst too. A new table of the writer needs its own grant to tweets_writer.
alter default privileges in schema public grant select on tables to analyst;
