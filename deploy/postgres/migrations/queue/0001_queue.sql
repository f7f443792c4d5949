-- The queue: one copy of each message, read by every subscription through its own cursor.
-- All times come from the caller (p_now), so services and tests share one clock.

create schema if not exists queue;

create table queue.messages (
    id          bigint generated always as identity primary key,
    enqueued_at timestamptz not null,
    message_key text,
    -- json, not jsonb: it keeps the text as sent and accepts \u0000 escapes that jsonb rejects.
    payload     json not null
);

create table queue.subscriptions (
    name          text primary key,
    created_at    timestamptz not null,
    -- The first message id that no claim of this subscription has covered yet.
    next_id       bigint not null,
    last_claim_at timestamptz,
    last_ack_at   timestamptz
);

-- A claim is a batch handed to one consumer under a lease. A range claim covers the messages
-- first_id..last_id; a retry claim covers only message_ids. Acknowledging deletes the claim, and
-- a claim whose lease expired is handed to the next consumer that asks.
create table queue.claims (
    id           bigint generated always as identity primary key,
    subscription text not null references queue.subscriptions (name) on delete cascade,
    first_id     bigint not null,
    last_id      bigint not null,
    message_ids  bigint[],
    consumer     text not null,
    token        uuid not null,
    claimed_at   timestamptz not null,
    lease_until  timestamptz not null,
    deliveries   integer not null default 1
);

create index claims_subscription_lease on queue.claims (subscription, lease_until);

-- Messages whose processing failed, waiting for their next attempt.
create table queue.retries (
    subscription    text not null references queue.subscriptions (name) on delete cascade,
    message_id      bigint not null,
    attempts        integer not null,
    next_attempt_at timestamptz not null,
    first_failed_at timestamptz not null,
    last_error      text not null,
    claim_id        bigint,
    primary key (subscription, message_id)
);

create index retries_due on queue.retries (subscription, next_attempt_at) where claim_id is null;

-- Messages set aside after their last attempt, with a copy of the payload so that retention
-- can drop the message itself.
create table queue.dead_letters (
    subscription    text not null,
    message_id      bigint not null,
    message_key     text,
    enqueued_at     timestamptz not null,
    payload         json not null,
    attempts        integer not null,
    first_failed_at timestamptz not null,
    dead_at         timestamptz not null,
    error           text not null,
    primary key (subscription, message_id)
);

-- Appends messages. The transaction-scoped advisory lock makes enqueuing transactions take ids
-- and commit one after another, so a reader that sees id N also sees every committed id below N
-- and a cursor never skips a message that commits late. One notification per call, not per row.
create function queue.enqueue(p_now timestamptz, p_keys text[], p_payloads text[])
returns bigint
language plpgsql as $$
declare
    v_count bigint;
begin
    perform pg_advisory_xact_lock(7400, 1);
    insert into queue.messages (enqueued_at, message_key, payload)
    select p_now, k, p::json
      from unnest(p_keys, p_payloads) as u (k, p);
    get diagnostics v_count = row_count;
    if v_count > 0 then
        perform pg_notify('queue_messages', '');
    end if;
    return v_count;
end $$;

-- Creates a subscription that starts either after the newest message ('now') or at the oldest
-- retained one ('oldest'). An existing subscription is left as it is.
create function queue.subscribe(p_name text, p_start text, p_now timestamptz)
returns boolean
language plpgsql as $$
declare
    v_next bigint;
begin
    if p_start not in ('now', 'oldest') then
        raise exception 'invalid subscription start "%": expected now or oldest', p_start;
    end if;
    -- Holding the enqueue lock makes 'now' exact: no enqueue is between taking and committing ids.
    perform pg_advisory_xact_lock(7400, 1);
    if p_start = 'now' then
        select coalesce(max(id), 0) + 1 into v_next from queue.messages;
    else
        select coalesce(min(id), 1) into v_next from queue.messages;
    end if;
    insert into queue.subscriptions (name, created_at, next_id)
    values (p_name, p_now, v_next)
    on conflict (name) do nothing;
    return found;
end $$;

-- Claims the next batch for a consumer: first a claim whose lease expired, then messages whose
-- retry is due, then new messages after the cursor. Returns no rows when there is nothing to do.
create function queue.claim(p_subscription text, p_consumer text, p_max integer, p_lease interval, p_now timestamptz)
returns table (claim_id bigint, token uuid, deliveries integer, message_id bigint, enqueued_at timestamptz,
               message_key text, payload json, attempt integer)
language plpgsql as $$
declare
    v_claim queue.claims;
    v_next  bigint;
    v_last  bigint;
    v_ids   bigint[];
begin
    update queue.claims c
       set consumer = p_consumer, token = gen_random_uuid(), claimed_at = p_now,
           lease_until = p_now + p_lease, deliveries = c.deliveries + 1
     where c.id = (select e.id from queue.claims e
                    where e.subscription = p_subscription and e.lease_until <= p_now
                    order by e.id
                    limit 1
                    for update skip locked)
    returning c.* into v_claim;

    if v_claim.id is null then
        with due as materialized (
            select r.message_id
              from queue.retries r
             where r.subscription = p_subscription and r.claim_id is null and r.next_attempt_at <= p_now
             order by r.next_attempt_at, r.message_id
             limit p_max
               for update skip locked)
        select array_agg(due.message_id order by due.message_id) into v_ids from due;

        if v_ids is not null then
            insert into queue.claims (subscription, first_id, last_id, message_ids, consumer, token, claimed_at, lease_until)
            values (p_subscription, v_ids[1], v_ids[cardinality(v_ids)], v_ids, p_consumer, gen_random_uuid(), p_now, p_now + p_lease)
            returning * into v_claim;
            update queue.retries r set claim_id = v_claim.id
             where r.subscription = p_subscription and r.message_id = any (v_ids);
        end if;
    end if;

    if v_claim.id is null then
        -- The row lock makes range claims of one subscription take turns; each is one short statement.
        select s.next_id into v_next from queue.subscriptions s where s.name = p_subscription for update;
        if not found then
            raise exception 'subscription "%" does not exist', p_subscription using errcode = 'P0002';
        end if;

        select max(n.id) into v_last
          from (select m.id from queue.messages m where m.id >= v_next order by m.id limit p_max) n;

        if v_last is not null then
            insert into queue.claims (subscription, first_id, last_id, consumer, token, claimed_at, lease_until)
            values (p_subscription, v_next, v_last, p_consumer, gen_random_uuid(), p_now, p_now + p_lease)
            returning * into v_claim;
            update queue.subscriptions s set next_id = v_last + 1, last_claim_at = p_now where s.name = p_subscription;
        end if;
    end if;

    if v_claim.id is null then
        return;
    end if;

    return query
        select v_claim.id, v_claim.token, v_claim.deliveries, m.id, m.enqueued_at, m.message_key, m.payload,
               coalesce(r.attempts, 0) + 1
          from queue.messages m
          left join queue.retries r on r.subscription = p_subscription and r.message_id = m.id
         where m.id between v_claim.first_id and v_claim.last_id
           and (v_claim.message_ids is null or m.id = any (v_claim.message_ids))
         order by m.id;
end $$;

-- Extends the lease of a claim that the caller still holds; returns false when it lost the claim.
create function queue.renew(p_claim_id bigint, p_token uuid, p_lease interval, p_now timestamptz)
returns boolean
language sql as $$
    update queue.claims set lease_until = p_now + p_lease
     where id = p_claim_id and token = p_token
    returning true;
$$;

-- Hands a claim back so that it is delivered again once p_redeliver_at has passed.
create function queue.release(p_claim_id bigint, p_token uuid, p_redeliver_at timestamptz)
returns boolean
language sql as $$
    update queue.claims set lease_until = p_redeliver_at
     where id = p_claim_id and token = p_token
    returning true;
$$;

-- Acknowledges a claim after the consumer's writes committed. Messages in p_failed_ids get
-- another attempt after an exponential backoff with jitter, or move to the dead letters once
-- they reach p_max_attempts. Returns false when the caller no longer holds the claim.
create function queue.ack(p_claim_id bigint, p_token uuid, p_failed_ids bigint[], p_errors text[],
                          p_max_attempts integer, p_backoff_base interval, p_backoff_max interval, p_now timestamptz)
returns boolean
language plpgsql as $$
declare
    v_claim queue.claims;
begin
    delete from queue.claims where id = p_claim_id and token = p_token returning * into v_claim;
    if v_claim.id is null then
        return false;
    end if;

    -- Messages of a retry claim that succeeded this time.
    if v_claim.message_ids is not null then
        delete from queue.retries r
         where r.subscription = v_claim.subscription
           and r.message_id = any (v_claim.message_ids)
           and not (r.message_id = any (coalesce(p_failed_ids, '{}')));
    end if;

    if coalesce(cardinality(p_failed_ids), 0) > 0 then
        with failed as (
            select f.id, f.error, coalesce(r.attempts, 0) + 1 as attempts, coalesce(r.first_failed_at, p_now) as first_failed_at
              from unnest(p_failed_ids, p_errors) as f (id, error)
              left join queue.retries r on r.subscription = v_claim.subscription and r.message_id = f.id
             where f.id between v_claim.first_id and v_claim.last_id),
        dead as (
            insert into queue.dead_letters (subscription, message_id, message_key, enqueued_at, payload, attempts,
                                            first_failed_at, dead_at, error)
            select v_claim.subscription, m.id, m.message_key, m.enqueued_at, m.payload, f.attempts, f.first_failed_at, p_now, f.error
              from failed f
              join queue.messages m on m.id = f.id
             where f.attempts >= p_max_attempts
            on conflict (subscription, message_id) do update
               set attempts = excluded.attempts, dead_at = excluded.dead_at, error = excluded.error
            returning message_id),
        removed as (
            delete from queue.retries r
             where r.subscription = v_claim.subscription and r.message_id in (select message_id from dead))
        insert into queue.retries (subscription, message_id, attempts, next_attempt_at, first_failed_at, last_error)
        select v_claim.subscription, f.id, f.attempts,
               p_now + least(p_backoff_base * power(2, f.attempts - 1), p_backoff_max) * (0.5 + random() / 2),
               f.first_failed_at, f.error
          from failed f
         where f.attempts < p_max_attempts
        on conflict (subscription, message_id) do update
           set attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
               last_error = excluded.last_error, claim_id = null;
    end if;

    update queue.subscriptions set last_ack_at = p_now where name = v_claim.subscription;
    return true;
end $$;

-- Moves dead letters back into the retry table so that their subscription processes them again.
create function queue.requeue_dead_letters(p_subscription text, p_message_ids bigint[], p_now timestamptz)
returns bigint
language plpgsql as $$
declare
    v_count bigint;
begin
    with moved as (
        delete from queue.dead_letters d
         where d.subscription = p_subscription
           and (p_message_ids is null or d.message_id = any (p_message_ids))
        returning d.*)
    insert into queue.retries (subscription, message_id, attempts, next_attempt_at, first_failed_at, last_error)
    select moved.subscription, moved.message_id, 0, p_now, moved.first_failed_at, moved.error
      from moved
      join queue.messages m on m.id = moved.message_id
    on conflict (subscription, message_id) do update set attempts = 0, next_attempt_at = p_now, claim_id = null;
    get diagnostics v_count = row_count;
    return v_count;
end $$;

-- Per subscription: how far behind it is, what is in flight and what failed.
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
