#!/usr/bin/env bash
# Run N game-server instances (1 or 2) on one PostgreSQL database (pmbench, recreated)
# and one Redis (db 1, flushed), and one `policymaker bench` per instance at once.
# Usage: bench/instances.sh N   (shape from TABLES, PLAYERS, INTERVAL, DURATION)
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/pmbench}; mkdir -p "$WORK"; cd "$WORK"
N=$1
TABLES=${TABLES:-20}; PLAYERS=${PLAYERS:-6}; INTERVAL=${INTERVAL:-2}; DURATION=${DURATION:-30}
PM="$REPO/.venv/bin/policymaker"
psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS pmbench" -c "CREATE DATABASE pmbench"
redis-cli -n 1 flushdb >/dev/null
pids=()
for i in $(seq 1 $N); do
  mkdir -p inst$i
  (cd inst$i && DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pmbench REDIS_URL=redis://127.0.0.1:6379/1 \
    SECRET_KEY=benchbenchbenchbenchbenchbench BOT_THINK_SECONDS=0 \
    exec $PM serve --host 127.0.0.1 --port $((8800+i)) >server.log 2>&1) &
  pids+=($!)
done
for i in $(seq 1 $N); do
  for t in $(seq 1 200); do curl -sf http://127.0.0.1:$((8800+i))/healthz >/dev/null && break; sleep 0.1; done
done
bpids=()
for i in $(seq 1 $N); do
  $PM bench --url http://127.0.0.1:$((8800+i)) --pid ${pids[$((i-1))]} --tables $TABLES --players $PLAYERS \
    --interval $INTERVAL --duration $DURATION --seed $i --json > bench-$N-$i.json 2>bench-$N-$i.err &
  bpids+=($!)
done
for p in "${bpids[@]}"; do wait $p; done
for p in "${pids[@]}"; do kill $p; done
wait
for i in $(seq 1 $N); do echo "instance $i:"; cat bench-$N-$i.json; tail -3 bench-$N-$i.err; done
