#!/usr/bin/env bash
# bench/clickhouse.sh: the ClickHouse side of `make bench` (Debian's clickhouse-server).
#
#   bench/clickhouse.sh start DIR PORT     a private server: data, logs and config in DIR,
#                                          TCP on 127.0.0.1:PORT only (HTTP on PORT + 1)
#   bench/clickhouse.sh stop DIR
#   bench/clickhouse.sh load PORT TABLE COLUMNS   read CSV rows on stdin into TABLE
#   bench/clickhouse.sh run PORT THREADS QUERY_ID BASE64_QUERY
#                                          run one query (output discarded) with
#                                          max_threads = THREADS and print
#                                          "milliseconds<TAB>peak memory kB"
# bench/harness.sql calls `run` through COPY ... FROM PROGRAM, so ClickHouse's
# rounds interleave with PostgreSQL's in one benchmark session.
set -euo pipefail

cmd=${1:-}
case "$cmd" in
start)
  dir=$2 port=$3
  mkdir -p "$dir/data" "$dir/tmp" "$dir/log" "$dir/user_files"
  sed -e "s#<tcp_port>9000</tcp_port>#<tcp_port>$port</tcp_port>#" \
      -e "s#<http_port>8123</http_port>#<http_port>$((port + 1))</http_port>#" \
      -e "s#<interserver_http_port>9009</interserver_http_port>#<interserver_http_port>$((port + 2))</interserver_http_port>#" \
      -e "s#<listen_host>::1</listen_host>##" \
      -e "s#<path>/var/lib/clickhouse/</path>#<path>$dir/data/</path>#" \
      -e "s#<tmp_path>/var/lib/clickhouse/tmp/</tmp_path>#<tmp_path>$dir/tmp/</tmp_path>#" \
      -e "s#<user_files_path>/var/lib/clickhouse/user_files/</user_files_path>#<user_files_path>$dir/user_files/</user_files_path>#" \
      -e "s#<format_schema_path>/var/lib/clickhouse/format_schemas/</format_schema_path>#<format_schema_path>$dir/format_schemas/</format_schema_path>#" \
      -e "s#/var/log/clickhouse-server/#$dir/log/#g" \
      /etc/clickhouse-server/config.xml > "$dir/config.xml"
  cp /etc/clickhouse-server/users.xml "$dir/users.xml"
  sed -i "s#<users_config>users.xml</users_config>#<users_config>$dir/users.xml</users_config>#" "$dir/config.xml"
  if [ "$(id -u)" = 0 ] && id clickhouse >/dev/null 2>&1; then chown -R clickhouse: "$dir"; runas="runuser -u clickhouse --"; else runas=; fi
  if ! clickhouse-client --port "$port" --query 'SELECT 1' >/dev/null 2>&1; then
    $runas clickhouse-server --config-file="$dir/config.xml" --daemon --pid-file="$dir/clickhouse.pid"
    for _ in $(seq 1 60); do
      clickhouse-client --port "$port" --query 'SELECT 1' >/dev/null 2>&1 && break
      sleep 1
    done
  fi
  clickhouse-client --port "$port" --query 'SELECT 1' >/dev/null
  ;;
stop)
  dir=$2
  [ -f "$dir/clickhouse.pid" ] && kill "$(cat "$dir/clickhouse.pid")" 2>/dev/null || true
  ;;
load)
  port=$2 table=$3 columns=$4
  clickhouse-client --port "$port" --query "DROP TABLE IF EXISTS $table"
  clickhouse-client --port "$port" --query "CREATE TABLE $table ($columns) ENGINE = MergeTree ORDER BY (visitor_id, ts)"
  clickhouse-client --port "$port" --query "INSERT INTO $table FORMAT CSV"
  clickhouse-client --port "$port" --query "OPTIMIZE TABLE $table FINAL"
  ;;
run)
  port=$2 threads=$3 id=$4 query=$(printf '%s' "$5" | base64 -d)
  start=$(date +%s%N)
  clickhouse-client --port "$port" --max_threads "$threads" --log_queries 1 --query_id "$id" \
    --format Null --query "$query" >/dev/null
  end=$(date +%s%N)
  clickhouse-client --port "$port" --query 'SYSTEM FLUSH LOGS' >/dev/null
  # the server's own elapsed time when the log has it, else the client's
  clickhouse-client --port "$port" --format TSV --query "
    SELECT coalesce(max(query_duration_ms), $(( (end - start) / 1000000 ))), intDiv(max(memory_usage), 1024)
    FROM system.query_log WHERE query_id = '$id' AND type = 2"
  ;;
*)
  echo "usage: $0 start DIR PORT | stop DIR | load PORT TABLE COLUMNS | run PORT THREADS QUERY_ID BASE64_QUERY" >&2
  exit 2
  ;;
esac
