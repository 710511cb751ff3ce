#!/usr/bin/env bash
# bench/run.sh (make bench): the benchmark.
#
# Builds and installs the extension, starts (or reuses) a benchmark cluster,
# generates the sample dataset at BENCH_SCALE (default 100: 100,000 accounts,
# about 10 million events) once and caches it, then runs every case of
# bench/cases/*.sql (or only BENCH_ONLY=<family>) in one session, BENCH_ROUNDS
# interleaved rounds (default 5), serially and with 2 parallel workers, and
# prints a markdown table of medians and ratios, then bench/reports/*.sql.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/bootstrap.sh
. tools/pgenv.sh
build_and_install

BENCH_DIR=${B2B_BENCH_DIR:-/var/tmp/b2bmetrics-bench}
SCALE=${BENCH_SCALE:-100}
SEED=${BENCH_SEED:-42}
ROUNDS=${BENCH_ROUNDS:-5}
ONLY=${BENCH_ONLY:-}

mkdir -p "$BENCH_DIR"
[ "$(id -u)" = 0 ] && chown postgres: "$BENCH_DIR"
if [ -f "$BENCH_DIR/port" ] && as_cluster_owner pg_ctl -D "$BENCH_DIR/data" status >/dev/null 2>&1; then
  port=$(cat "$BENCH_DIR/port")
else
  port=$(free_port 54340)
  echo "$port" > "$BENCH_DIR/port"
fi
PG_EXTRA_OPTS="-c shared_buffers=4GB -c work_mem=64MB -c maintenance_work_mem=1GB -c max_wal_size=8GB
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off
  -c max_worker_processes=8 -c max_parallel_workers=8 -c max_parallel_workers_per_gather=2" \
  cluster_start "$BENCH_DIR/data" "$port" ''
export PGHOST="$BENCH_DIR/data" PGPORT=$port PGUSER=postgres PGDATABASE=b2b_bench
psql -X -q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'b2b_bench'" | grep -q 1 || createdb b2b_bench

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hll;
DROP EXTENSION IF EXISTS b2bmetrics CASCADE;   -- pick up the build just installed
CREATE EXTENSION b2bmetrics;
SQL

generator=$(grep -m1 -o 'generator version: [0-9]*' sample/b2b_sample.sql | grep -o '[0-9]*$')
have=$(psql -X -tAc "SELECT scale || '/' || seed || '/' || generator FROM b2b_dataset" 2>/dev/null || true)
if [ "$have" != "$SCALE/$SEED/$generator" ]; then
  echo "bench: generating the dataset (scale $SCALE, seed $SEED); this takes a few minutes once"
  start=$(date +%s)
  psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS b2b_dataset;
\i sample/b2b_sample.sql
CALL b2b_sample_generate($SCALE, $SEED);
VACUUM ANALYZE;
CREATE TABLE b2b_dataset AS SELECT $SCALE::numeric AS scale, $SEED AS seed, '$generator'::text AS generator;
SQL
  echo "bench: dataset ready in $(( $(date +%s) - start )) s"
fi

# The heavy-user shape (bench/heavy_events.sql), cached by the file's checksum.
heavy_key=$(sha1sum bench/heavy_events.sql | cut -c1-12)
have_heavy=$(psql -X -tAc "SELECT key FROM b2b_heavy_dataset" 2>/dev/null || true)
if [ "$have_heavy" != "$heavy_key" ]; then
  echo "bench: generating the heavy-user events (10 million rows); this takes a few minutes once"
  psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
SET work_mem = '1GB';
\i bench/heavy_events.sql
DROP TABLE IF EXISTS b2b_heavy_dataset;
CREATE TABLE b2b_heavy_dataset AS SELECT '$heavy_key'::text AS key;
SQL
fi

# ClickHouse (Debian's clickhouse-server) on the same rows: a private server in the
# bench directory on 127.0.0.1, its tables loaded once per dataset.
CH_DIR=$BENCH_DIR/clickhouse
ch_port=
if ! command -v clickhouse-server >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null 2>&1 || true
fi
if command -v clickhouse-server >/dev/null 2>&1 && command -v clickhouse-client >/dev/null 2>&1; then
  ch_port=$( [ -f "$CH_DIR/port" ] && cat "$CH_DIR/port" || free_port 19500 )
  mkdir -p "$CH_DIR"; echo "$ch_port" > "$CH_DIR/port"
  if bench/clickhouse.sh start "$CH_DIR" "$ch_port"; then
    ch_key="$SCALE/$SEED/$generator/$heavy_key"
    if [ "$(cat "$CH_DIR/loaded" 2>/dev/null)" != "$ch_key" ]; then
      echo "bench: loading the same rows into ClickHouse"
      psql -X -q -c "COPY (SELECT visitor_id, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), event FROM events) TO STDOUT (FORMAT csv)" \
        | bench/clickhouse.sh load "$ch_port" light_events "visitor_id UInt64, ts DateTime('UTC'), event String"
      psql -X -q -c "COPY (SELECT visitor_id, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), event FROM heavy_events) TO STDOUT (FORMAT csv)" \
        | bench/clickhouse.sh load "$ch_port" heavy_events "visitor_id UInt64, ts DateTime('UTC'), event String"
      echo "$ch_key" > "$CH_DIR/loaded"
    fi
  else
    echo "bench: ClickHouse did not start; its rows are left out"; ch_port=
  fi
else
  echo "bench: clickhouse-server is not installed (apt-get install clickhouse-server clickhouse-client); its rows are left out"
fi

script=$(mktemp /tmp/b2bmetrics-bench.XXXXXX.sql)
trap 'rm -f "$script"' EXIT
{
  echo '\set ON_ERROR_STOP 1'
  echo 'SET client_min_messages = warning;'
  echo '\i bench/harness.sql'
  for f in bench/cases/*.sql; do
    family=$(basename "$f" .sql)
    [ -n "$ONLY" ] && [ "$family" != "$ONLY" ] && continue
    echo "\\i $f"
    echo "UPDATE bench_case SET family = '$family' WHERE family IS NULL;"
  done
  if [ -n "$ch_port" ]; then
    echo "SET b2b.clickhouse_script = '$PWD/bench/clickhouse.sh';"
    echo "SET b2b.clickhouse_port = '$ch_port';"
  else
    echo "DELETE FROM bench_case WHERE engine = 'clickhouse';"
  fi
  echo 'SET client_min_messages = notice;'
  echo '\o /dev/null'
  echo "SELECT pg_temp.bench_run($ROUNDS, '{0,2}');"
  echo '\o'
  echo '\pset tuples_only on'
  echo '\pset format unaligned'
  echo 'SELECT * FROM pg_temp.bench_report();'
  echo '\pset tuples_only off'
  echo '\pset format aligned'
  for f in bench/reports/*.sql; do
    [ -f "$f" ] || continue
    family=$(basename "$f" .sql)
    [ -n "$ONLY" ] && [ "$family" != "$ONLY" ] && continue
    echo "\\echo"
    echo "\\i $f"
  done
} > "$script"

echo
echo "## b2bmetrics benchmark"
psql -X -tAc "SELECT format('%s; %s events, %s accounts, %s subscriptions; %s rounds, median ms; work_mem %s, jit %s',
  split_part(version(), ' on ', 1), (SELECT count(*) FROM events), (SELECT count(*) FROM accounts),
  (SELECT count(*) FROM subscriptions), $ROUNDS, current_setting('work_mem'), current_setting('jit'))"
echo
psql -X -q -f "$script"
