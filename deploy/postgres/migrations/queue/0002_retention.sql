-- Retention: queue.messages becomes a table partitioned by id range, and a partition is dropped
-- once every subscription has passed all of its messages. Dropping a partition reclaims its
-- space at once; deleting rows one by one would leave dead tuples for vacuum, and a long-open
-- transaction would keep them from being vacuumed at all.

create table queue.settings (
    name  text primary key,
    value bigint not null
);

-- Ids per partition. About 300 MB of partition at 3 KB per tweet.
insert into queue.settings (name, value) values ('partition_size', 100000);

create sequence queue.message_ids as bigint;
select setval('queue.message_ids', coalesce((select max(id) from queue.messages), 0) + 1, false);

-- Views bind to the table itself, so this one is dropped here and made again below.
drop view queue.subscription_stats;

alter table queue.messages rename to messages_unpartitioned;
alter table queue.messages_unpartitioned rename constraint messages_pkey to messages_unpartitioned_pkey;

create table queue.messages (
    id          bigint not null default nextval('queue.message_ids'),
    enqueued_at timestamptz not null,
    message_key text,
    payload     json not null,
    primary key (id)
) partition by range (id);

alter sequence queue.message_ids owned by queue.messages.id;

-- Creates partitions so that ids p_from to p_upto have one. New partitions follow the newest
-- existing one, or start at the multiple of partition_size at or below p_from when there is none.
-- Each partition is named after its first id.
create function queue.ensure_partitions(p_from bigint, p_upto bigint)
returns void
language plpgsql as $$
declare
    v_size  bigint := (select value from queue.settings where name = 'partition_size');
    v_start bigint;
begin
    select coalesce(max(upper_bound), (p_from / v_size) * v_size)
      into v_start
      from (select (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''?(\d+)''?\)'))[1]::bigint as upper_bound
              from pg_inherits i
              join pg_class c on c.oid = i.inhrelid
             where i.inhparent = 'queue.messages'::regclass) bounds;

    while v_start <= p_upto loop
        execute format('create table queue.%I partition of queue.messages for values from (%s) to (%s)',
                       'messages_' || lpad(v_start::text, 19, '0'), v_start, v_start + v_size);
        v_start := v_start + v_size;
    end loop;
end $$;

select queue.ensure_partitions(coalesce((select min(id) from queue.messages_unpartitioned), 1),
                               coalesce((select max(id) from queue.messages_unpartitioned), 1));
insert into queue.messages (id, enqueued_at, message_key, payload)
select id, enqueued_at, message_key, payload from queue.messages_unpartitioned;
drop table queue.messages_unpartitioned;

create view queue.subscription_stats as
select s.name as subscription,
       greatest(coalesce((select max(m.id) from queue.messages m), 0) - s.next_id + 1, 0) as unclaimed,
       (select count(*) from queue.claims c where c.subscription = s.name) as claims_in_flight,
       (select count(*) from queue.retries r where r.subscription = s.name) as retrying,
       (select count(*) from queue.dead_letters d where d.subscription = s.name) as dead_letters,
       (select min(m.enqueued_at) from queue.messages m where m.id >= s.next_id) as oldest_unclaimed_at,
       s.last_claim_at,
       s.last_ack_at
  from queue.subscriptions s;

-- Enqueue as before, creating the partition for the new ids first. The advisory lock makes this
-- transaction the only one taking ids, so the sequence's last value bounds the ids it will take.
create or replace function queue.enqueue(p_now timestamptz, p_keys text[], p_payloads text[])
returns bigint
language plpgsql as $$
declare
    v_count bigint;
    v_last  bigint;
begin
    perform pg_advisory_xact_lock(7400, 1);
    select case when is_called then last_value else last_value - 1 end into v_last from queue.message_ids;
    perform queue.ensure_partitions(v_last + 1, v_last + coalesce(cardinality(p_keys), 0));
    insert into queue.messages (enqueued_at, message_key, payload)
    select p_now, k, p::json
      from unnest(p_keys, p_payloads) as u (k, p);
    get diagnostics v_count = row_count;
    if v_count > 0 then
        perform pg_notify('queue_messages', '');
    end if;
    return v_count;
end $$;

-- Per subscription, the lowest message id it may still need: its cursor, its oldest claim and its
-- oldest pending retry. Messages below the lowest of these over all subscriptions are done.
create view queue.retention as
select s.name as subscription,
       least(s.next_id,
             (select min(c.first_id) from queue.claims c where c.subscription = s.name),
             (select min(r.message_id) from queue.retries r where r.subscription = s.name)) as low_watermark,
       (select max(m.id) from queue.messages m) as newest_id
  from queue.subscriptions s;

-- Drops every partition whose messages all subscriptions have passed; returns how many it
-- dropped. Runs at most once at a time, and gives up within p_lock_timeout rather than stall
-- consumers when a partition is busy; the next call tries again.
create function queue.reclaim(p_lock_timeout interval default interval '1 second')
returns integer
language plpgsql as $$
declare
    v_watermark bigint;
    v_partition record;
    v_dropped   integer := 0;
begin
    if not pg_try_advisory_xact_lock(7400, 2) then
        return 0;
    end if;

    -- With no subscription nothing is known to be done: a new subscription may start at the oldest message.
    select min(low_watermark) into v_watermark from queue.retention;
    if v_watermark is null then
        return 0;
    end if;

    perform set_config('lock_timeout', (extract(epoch from p_lock_timeout) * 1000)::bigint::text, true);
    for v_partition in
        select c.oid::regclass as name,
               (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''?(\d+)''?\)'))[1]::bigint as upper_bound
          from pg_inherits i
          join pg_class c on c.oid = i.inhrelid
         where i.inhparent = 'queue.messages'::regclass
         order by upper_bound
    loop
        -- Keep the newest partition even when it is done, so enqueue never waits for a create.
        exit when v_partition.upper_bound > v_watermark
               or v_partition.upper_bound > (select coalesce(max(id), 0) from queue.messages);
        begin
            execute format('drop table %s', v_partition.name);
            v_dropped := v_dropped + 1;
        exception
            when lock_not_available then
                exit;
        end;
    end loop;
    return v_dropped;
end $$;

-- Subscriptions that hold back reclamation: those at the lowest watermark while at least a
-- whole partition of messages lies behind them.
create view queue.blocking_subscriptions as
select r.subscription,
       r.low_watermark,
       r.newest_id - r.low_watermark + 1 as messages_behind,
       s.last_ack_at
  from queue.retention r
  join queue.subscriptions s on s.name = r.subscription
 where r.low_watermark = (select min(low_watermark) from queue.retention)
   and r.newest_id - r.low_watermark + 1 >= (select value from queue.settings where name = 'partition_size');
