#!/usr/bin/env bash
# tools/citus-test.sh (make citus-test): b2bmetrics on a 3-node Citus cluster.
#
#   1. builds Citus from ../shared/citus/ against $PG_CONFIG, once: the build tree is cached
#      outside the checkout (CITUS_CACHE, default ~/.cache/b2bmetrics-citus), keyed by the
#      Citus version, the PostgreSQL version and the installation; it is (re)installed into
#      that installation when its citus.so differs;
#   2. builds and installs b2bmetrics, starts a coordinator and two workers on 127.0.0.1
#      (free ports from CITUS_PORT, default 5510 up);
#   3. loads the sample data (CITUS_SCALE, default 0.2) into plain tables on the coordinator
#      (schema single: the single-node reference) and the same rows into distributed tables
#      (schema public: accounts, users, subscriptions and events by account_id, colocated);
#   4. runs every case of test/citus/*.sql (format below), checking that
#      (a) EXPLAIN VERBOSE shows the aggregate's work on the workers, and
#      (b) the result equals the single-node result exactly;
#   5. stops every node and removes the data directories, also on failure.
# CITUS_ROUNDS (default 3): runs per query for the timing table (the best is shown);
# CITUS_PLANS=DIR keeps each case's EXPLAIN VERBOSE output in DIR/<case>.plan.
# CITUS_BUILD_ONLY=1 builds and installs Citus, then stops.
# Prints TAP lines (ok / not ok) and ends with "N passed, N failed".
#
# Case format (docs/citus.md): in test/citus/<family>.sql, a line
#     -- @case <name> partial|pushdown <aggregate>[,<aggregate>...]
# opens a case; the lines up to the next "-- @case" (comment lines left out) are one SQL query,
# a final semicolon optional. "partial": coord_combine_agg on the coordinator and each aggregate
# named among the workers' worker_partial_agg calls; "pushdown": each aggregate named called in
# the worker query. Both: no aggregate named called on the coordinator, no Distributed Subplan.
# Lines before the first case are ignored.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# ../shared/citus beside the checkout; for a git worktree, also beside the main checkout.
citus_src=${CITUS_SRC:-$repo/../shared/citus}
if [ -z "${CITUS_SRC:-}" ] && [ ! -d "$citus_src" ]; then
  common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  [ -n "$common" ] && [ -d "$common/../../shared/citus" ] && citus_src=$(cd "$common/../../shared/citus" && pwd)
fi
scale=${CITUS_SCALE:-0.2}

. tools/pgenv.sh

# ---- 1. Citus, built once --------------------------------------------------------------------
tarball=$(ls "$citus_src"/citus-*.tar.gz 2>/dev/null | head -1)
if [ -z "$tarball" ]; then
  echo "citus-test: no Citus source tarball in $citus_src (see ../shared/citus/README.md)" >&2
  exit 1
fi
citus_version=$(basename "$tarball" .tar.gz); citus_version=${citus_version#citus-}
pg_version=$("$PG_CONFIG" --version | awk '{print $2}')
install_key=$(printf '%s' "$("$PG_CONFIG" --bindir)" | cksum | cut -d' ' -f1)
cache=${CITUS_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/b2bmetrics-citus}
build="$cache/citus-$citus_version-pg$pg_version-$install_key"

citus_build() {
  local deps=(liblz4-dev libzstd-dev libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev
              libpam0g-dev libreadline-dev autoconf flex bison)
  local missing=() p
  for p in "${deps[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "# citus-test: installing ${missing[*]}"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
             DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
        || return 1
    else
      echo "citus-test: Citus needs: sudo apt-get install -y ${missing[*]}" >&2; return 1
    fi
  fi
  echo "# building Citus $citus_version for PostgreSQL $pg_version in $build (once)"
  # configure records the build directory's path: build in place, mark it complete at the end.
  rm -rf "$build" && mkdir -p "$build" || return 1
  tar xzf "$tarball" -C "$build" --strip-components=1 || return 1
  (
    cd "$build" || exit 1
    # PostgreSQL 15.20 exports have_createdb_privilege(), which Citus 13.2.2 defines itself.
    if grep -q have_createdb_privilege "$("$PG_CONFIG" --includedir-server)/commands/dbcommands.h" 2>/dev/null &&
       [ -f "$citus_src/pg15-have-createdb-privilege.patch" ]; then
      patch -s -p1 < "$citus_src/pg15-have-createdb-privilege.patch" || exit 1
    fi
    # --without-libcurl: no anonymous statistics reports; the cluster talks to loopback only.
    ./configure -q PG_CONFIG="$PG_CONFIG" --without-libcurl >configure.log 2>&1 || { tail -20 configure.log; exit 1; }
    make -s -j"$(nproc)" >make.log 2>&1 || { grep -E 'error|Error' make.log | head -20; exit 1; }
  ) || { echo "citus-test: building Citus failed (logs in $build)" >&2; return 1; }
  touch "$build/.b2bmetrics-built"
}

citus_install() {
  local so
  so=$("$PG_CONFIG" --pkglibdir)/citus.so
  [ -f "$so" ] && cmp -s "$so" "$build/src/backend/distributed/citus.so" && return 0
  echo "# installing Citus $citus_version into $("$PG_CONFIG" --pkglibdir)"
  if [ -w "$("$PG_CONFIG" --pkglibdir)" ]; then
    make -s -C "$build" install >"$build/install.log" 2>&1
  else
    sudo make -s -C "$build" install >"$build/install.log" 2>&1
  fi || { tail -20 "$build/install.log"; return 1; }
}

# One build and install at a time (checkouts sharing the cache may run this together).
mkdir -p "$cache" && exec 9>"$cache/lock" && flock 9
if [ ! -f "$build/.b2bmetrics-built" ]; then
  start=$SECONDS
  citus_build || { echo "0 passed, 1 failed"; exit 1; }
  echo "# Citus built in $((SECONDS - start)) s"
fi
citus_install || { echo "0 passed, 1 failed"; exit 1; }
flock -u 9
[ "${CITUS_BUILD_ONLY:-}" = 1 ] && exit 0

# ---- 2. b2bmetrics and the cluster -----------------------------------------------------------
build_and_install || { echo "citus-test: building b2bmetrics failed"; echo "0 passed, 1 failed"; exit 1; }

tmp=$(mktemp -d /tmp/b2bmetrics-citus.XXXXXX)
chmod 755 "$tmp"
nodes=(coordinator worker1 worker2)
declare -A port
cleanup() {
  local n
  for n in "${nodes[@]}"; do cluster_stop "$tmp/$n"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

next=${CITUS_PORT:-5510}
for n in "${nodes[@]}"; do
  port[$n]=$(free_port "$next"); next=$((port[$n] + 1))
done
# fsync off: a throwaway cluster; one shard per core and node keeps the small data's tasks few.
PG_EXTRA_OPTS="-c shared_preload_libraries=citus -c fsync=off -c synchronous_commit=off
  -c full_page_writes=off -c max_connections=100 -c citus.enable_statistics_collection=off"
for n in "${nodes[@]}"; do
  PG_EXTRA_OPTS=$PG_EXTRA_OPTS cluster_start "$tmp/$n" "${port[$n]}" 127.0.0.1 \
    || { echo "citus-test: could not start the $n on port ${port[$n]}"; echo "0 passed, 1 failed"; exit 1; }
done
export PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=b2b
coord="-p ${port[coordinator]}"
sql() {   # sql PORT: run stdin on that node, quietly, stopping at the first error
  psql -X -q -v ON_ERROR_STOP=1 -p "$1" -d b2b >>"$tmp/setup.log" 2>&1
}

echo "# Citus $citus_version: coordinator on ${port[coordinator]}, workers on ${port[worker1]} and ${port[worker2]}"
for n in "${nodes[@]}"; do
  createdb -p "${port[$n]}" b2b && echo "SET client_min_messages = warning; CREATE EXTENSION citus;" | sql "${port[$n]}" \
    || { cat "$tmp/setup.log"; echo "0 passed, 1 failed"; exit 1; }
done
sql "${port[coordinator]}" <<SQL || { tail -30 "$tmp/setup.log"; echo "0 passed, 1 failed"; exit 1; }
SET client_min_messages = warning;
SELECT citus_set_coordinator_host('127.0.0.1', ${port[coordinator]});
SELECT citus_add_node('127.0.0.1', ${port[worker1]});
SELECT citus_add_node('127.0.0.1', ${port[worker2]});
CREATE EXTENSION b2bmetrics;   -- Citus creates it on the workers too
SQL

# ---- 3. the sample data, on one node and distributed -----------------------------------------
# Schema single: the generator's tables as they are, on the coordinator alone (plain PostgreSQL
# plans: no Citus table is involved).  Schema public: the same rows in distributed tables.
# Citus refuses NULL in a distribution column, so the events of visitors without an account
# get the account of the user they became, or 0 (anonymous visitors), on both sides.
start=$SECONDS
sql "${port[coordinator]}" <<SQL || { tail -30 "$tmp/setup.log"; echo "0 passed, 1 failed"; exit 1; }
SET client_min_messages = warning;
CREATE SCHEMA single;
SET search_path = single, public;
\i sample/b2b_sample.sql
CALL b2b_sample_generate($scale, 42);
ALTER TABLE events DROP CONSTRAINT events_account_id_fkey;
UPDATE events e SET account_id = coalesce((SELECT u.account_id FROM users u WHERE u.user_id = e.visitor_id), 0)
WHERE account_id IS NULL;
VACUUM ANALYZE events;

SET search_path = public;
SET citus.shard_count = 4;
CREATE TABLE accounts (LIKE single.accounts);
CREATE TABLE users (LIKE single.users);
CREATE TABLE subscriptions (LIKE single.subscriptions);
CREATE TABLE events (LIKE single.events);
CREATE TABLE marketing_spend (LIKE single.marketing_spend);
SELECT create_distributed_table('accounts', 'account_id');
SELECT create_distributed_table('users', 'account_id', colocate_with => 'accounts');
SELECT create_distributed_table('subscriptions', 'account_id', colocate_with => 'accounts');
SELECT create_distributed_table('events', 'account_id', colocate_with => 'accounts');
SELECT create_reference_table('marketing_spend');
INSERT INTO accounts SELECT * FROM single.accounts;
INSERT INTO users SELECT * FROM single.users;
INSERT INTO subscriptions SELECT * FROM single.subscriptions;
INSERT INTO events SELECT * FROM single.events;
INSERT INTO marketing_spend SELECT * FROM single.marketing_spend;
ANALYZE accounts; ANALYZE users; ANALYZE subscriptions; ANALYZE events; ANALYZE marketing_spend;
SQL
# The extension on every node, at the coordinator's version.
version=$(psql -X -At $coord -c "SELECT extversion FROM pg_extension WHERE extname = 'b2bmetrics'")
for n in worker1 worker2; do
  v=$(psql -X -At -p "${port[$n]}" -c "SELECT extversion FROM pg_extension WHERE extname = 'b2bmetrics'")
  [ -n "$v" ] && [ "$v" = "$version" ] \
    || { echo "citus-test: b2bmetrics on the $n is '$v', not '$version'"; echo "0 passed, 1 failed"; exit 1; }
done
echo "# sample data at scale $scale: $(psql -X -At $coord -c 'SELECT count(*) FROM events') events," \
     "$(psql -X -At $coord -c 'SELECT count(*) FROM subscriptions') subscriptions, distributed in $((SECONDS - start)) s;" \
     "b2bmetrics $version on every node"

# ---- 4. the cases ----------------------------------------------------------------------------
mkdir -p "$tmp/cases"
: >"$tmp/cases/index"
n=0
for f in test/citus/*.sql; do
  case_file=""
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^--\ @case\ +([A-Za-z0-9_]+)\ +(partial|pushdown)\ +([A-Za-z0-9_,]+)\ *$ ]]; then
      n=$((n + 1)); case_file="$tmp/cases/$n.sql"; : >"$case_file"
      echo "$n ${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]} $f" >>"$tmp/cases/index"
    elif [[ $line =~ ^--\ @case ]]; then
      echo "citus-test: $f: a case line is '-- @case <name> partial|pushdown <aggregate>[,...]', not: $line" >&2
      echo "0 passed, 1 failed"; exit 1
    elif [ -n "$case_file" ] && ! [[ $line =~ ^[[:space:]]*-- ]]; then
      printf '%s\n' "$line" >>"$case_file"
    fi
  done <"$f"
done

rounds=${CITUS_ROUNDS:-3}
passed=0; failed=0
timings=()

# best_ms PORT SEARCH_PATH FILE: the fastest of $rounds runs of the query, in milliseconds.
best_ms() {
  local i
  for ((i = 0; i < rounds; i++)); do cat "$3"; done >"$3.rounds"
  PGOPTIONS="-c search_path=$2" psql -X -q -At -p "$1" -c '\timing on' -f "$3.rounds" -o /dev/null 2>/dev/null \
    | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -g | head -1
}

# check_plan KIND AGGREGATES PLAN: empty when the plan does the work on the workers, else why not.
check_plan() {
  local kind=$1 aggs=$2 plan=$3 coordinator workers agg oids names
  if ! grep -q 'Custom Scan (Citus' "$plan"; then echo "not a distributed plan"; return; fi
  if grep -q 'Distributed Subplan' "$plan"; then echo "a subplan's rows are gathered on the coordinator"; return; fi
  coordinator=$(sed '/Custom Scan (Citus/,$d' "$plan")
  workers=$(sed -n '/Custom Scan (Citus/,$p' "$plan")
  for agg in ${aggs//,/ }; do
    if grep -qE "(^|[^A-Za-z0-9_])$agg\(" <<<"$coordinator"; then
      echo "$agg runs on the coordinator"; return
    fi
  done
  if [ "$kind" = partial ]; then
    grep -q 'coord_combine_agg(' <<<"$coordinator" || { echo "no coord_combine_agg on the coordinator"; return; }
    oids=$(grep -oE "worker_partial_agg\('[0-9]+'::oid" <<<"$workers" | grep -oE '[0-9]+' | sort -u | paste -sd,)
    [ -n "$oids" ] || { echo "no worker_partial_agg on the workers"; return; }
    names=$(psql -X -At $coord -c "SELECT string_agg(DISTINCT proname, ' ') FROM pg_proc WHERE oid IN ($oids)")
    for agg in ${aggs//,/ }; do
      [[ " $names " == *" $agg "* ]] || { echo "$agg is not among the partial aggregates ($names)"; return; }
    done
  else
    for agg in ${aggs//,/ }; do
      grep -qE "(^|[^A-Za-z0-9_])$agg\(" <<<"$workers" || { echo "$agg is not in the worker query"; return; }
    done
  fi
}

echo "1..$(wc -l <"$tmp/cases/index")"
while read -r i name kind aggs file; do
  q="$tmp/cases/$i.sql"
  # one statement: the text with a final semicolon
  text=$(cat "$q"); text=${text%;}
  printf '%s;\n' "$text" >"$q.stmt"
  why=""
  if ! psql -X -At -p "${port[coordinator]}" -c "EXPLAIN (VERBOSE, COSTS OFF) $(cat "$q.stmt")" >"$q.plan" 2>&1; then
    why="EXPLAIN failed: $(grep -m1 ERROR "$q.plan")"
  else
    why=$(check_plan "$kind" "$aggs" "$q.plan")
  fi
  if [ -z "$why" ]; then
    if ! PGOPTIONS="-c search_path=single,public" psql -X -At -v ON_ERROR_STOP=1 -p "${port[coordinator]}" \
           -f "$q.stmt" >"$q.single" 2>&1; then
      why="single node: $(grep -m1 ERROR "$q.single")"
    elif ! psql -X -At -v ON_ERROR_STOP=1 -p "${port[coordinator]}" -f "$q.stmt" >"$q.citus" 2>&1; then
      why="Citus: $(grep -m1 ERROR "$q.citus")"
    elif ! cmp -s <(LC_ALL=C sort "$q.single") <(LC_ALL=C sort "$q.citus"); then
      why="results differ from one node's ($(wc -l <"$q.single") rows there)"
      diff <(LC_ALL=C sort "$q.single") <(LC_ALL=C sort "$q.citus") | head -6 | sed 's/^/#   /'
    fi
  fi
  if [ -n "${CITUS_PLANS:-}" ] && [ -f "$q.plan" ]; then
    mkdir -p "$CITUS_PLANS" && cp "$q.plan" "$CITUS_PLANS/$name.plan"
  fi
  if [ -z "$why" ]; then
    passed=$((passed + 1))
    t1=$(best_ms "${port[coordinator]}" single,public "$q.stmt")
    tc=$(best_ms "${port[coordinator]}" public "$q.stmt")
    timings+=("$(printf '%-32s %-8s %10s %10s %6s' "$name" "$kind" "$t1" "$tc" "$(wc -l <"$q.single")")")
    echo "ok $i - $name ($kind, $(basename "$file"))"
  else
    failed=$((failed + 1))
    echo "not ok $i - $name ($kind, $(basename "$file")): $why"
    if [ -f "$q.plan" ]; then sed 's/^/#   /' "$q.plan" | head -40; fi
  fi
done <"$tmp/cases/index"

echo "# best of $rounds runs, milliseconds, scale $scale"
printf '# %-32s %-8s %10s %10s %6s\n' case kind single citus rows
for t in "${timings[@]}"; do echo "# $t"; done
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
