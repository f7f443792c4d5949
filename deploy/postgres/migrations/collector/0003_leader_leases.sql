-- Leader leases: per source key, the one collector replica allowed to collect. Other replicas
-- stand by and take the row over once lease_until has passed. The leader moves lease_until
-- forward every third of the lease and deletes its row when it stops.
create table collector.leader_leases (
    lease_key   text primary key,
    owner       text not null,
    lease_until timestamptz not null,
    acquired_at timestamptz not null
);
