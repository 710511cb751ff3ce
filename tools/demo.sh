#!/usr/bin/env bash
# tools/demo.sh (make demo): bootstrap, build, install, start the project's demo
# cluster (or reuse it), load the sample dataset and print the report made by
# demo/*.sql, in order.  Safe to run again: the cluster and port are reused and
# the data is regenerated.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/bootstrap.sh
. tools/pgenv.sh
build_and_install

DEMO_DIR=${B2B_DEMO_DIR:-/tmp/b2bmetrics-demo}
SCALE=${DEMO_SCALE:-2}
mkdir -p "$DEMO_DIR"
chmod 755 "$DEMO_DIR"
if [ -f "$DEMO_DIR/port" ] && as_cluster_owner pg_ctl -D "$DEMO_DIR/data" status >/dev/null 2>&1; then
  port=$(cat "$DEMO_DIR/port")
else
  port=$(free_port 54330)
  echo "$port" > "$DEMO_DIR/port"
fi
cluster_start "$DEMO_DIR/data" "$port" localhost
export PGHOST=localhost PGPORT=$port PGUSER=postgres PGDATABASE=b2bmetrics_demo
psql -X -q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'b2bmetrics_demo'" | grep -q 1 \
  || createdb b2bmetrics_demo

echo "Loading the sample dataset (scale $SCALE) ..."
psql -X -q -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS b2bmetrics CASCADE;   -- the build just installed
CREATE EXTENSION b2bmetrics;
\i sample/b2b_sample.sql
CALL b2b_sample_generate($SCALE, 42);
SQL

for f in demo/*.sql; do
  psql -X -q -v ON_ERROR_STOP=1 -P footer=off -f "$f"
done

cat <<EOT

------------------------------------------------------------------------------
The demo cluster is running (data in $DEMO_DIR/data, port $port).
Connect:  psql "host=localhost port=$port user=postgres dbname=b2bmetrics_demo"
Stop:     $(if [ "$(id -u)" = 0 ]; then echo "runuser -u postgres -- "; fi)$PG_BINDIR/pg_ctl -D $DEMO_DIR/data stop
EOT
