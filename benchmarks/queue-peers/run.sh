#!/usr/bin/env bash
# Runs the queue benchmark: builds the PostgreSQL 17 image with PgQ, starts one server bound to
# 127.0.0.1 with pgqd ticking inside it, installs graphile-worker, runs
# benchmarks/Queue.Benchmarks with the arguments given here, and removes the container at the end.
#
#   benchmarks/queue-peers/run.sh                        # full run, about 20 minutes
#   benchmarks/queue-peers/run.sh --output /tmp/q.md     # also write the figures to a file
#   benchmarks/queue-peers/run.sh --enqueue-count 5000 --consume-count 5000 --latency-seconds 5 \
#       --hold-seconds 20 --baseline-seconds 10 --size-interval 5 --storage-count 1000   # quick run
#
# Environment: QUEUE_BENCHMARK_PORT (default 55433) is the host port of the server.
set -euo pipefail

peers_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$peers_dir/../.." && pwd)"
image="queue-peers-postgres:17"
container="queue-benchmark-postgres-$$"
port="${QUEUE_BENCHMARK_PORT:-55433}"
password="bench-$RANDOM$RANDOM"

cleanup() {
    docker rm -f "$container" >/dev/null 2>&1 || true
}
trap cleanup EXIT

docker build -q -t "$image" "$peers_dir" >/dev/null

# synchronous_commit=on is the default, set here so the figures never depend on it. A larger
# shared_buffers and max_wal_size than the defaults keep the preloads of a few hundred MB from
# being dominated by buffer eviction and forced checkpoints.
docker run -d --rm --name "$container" --shm-size=256m \
    -p "127.0.0.1:$port:5432" \
    -e POSTGRES_PASSWORD="$password" \
    "$image" \
    -c synchronous_commit=on -c shared_buffers=1GB -c max_wal_size=4GB >/dev/null

# The entrypoint listens on TCP only after initdb and its own restart.
for _ in $(seq 1 60); do
    if docker exec "$container" pg_isready -q -h 127.0.0.1 -U postgres; then
        break
    fi
    sleep 1
done
docker exec "$container" pg_isready -q -h 127.0.0.1 -U postgres \
    || { echo "PostgreSQL in $container did not become ready within 60 s" >&2; exit 1; }

docker exec -d -u postgres "$container" pgqd /etc/pgqd-benchmark.ini

(cd "$peers_dir" && npm ci --no-audit --no-fund --silent)
dotnet build -c Release "$repo_root/benchmarks/Queue.Benchmarks" -v quiet -nologo >&2

dotnet "$repo_root/benchmarks/Queue.Benchmarks/bin/Release/net10.0/Queue.Benchmarks.dll" \
    --connection "Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres" \
    --node-script "$peers_dir/graphile-bench.mjs" \
    "$@"
