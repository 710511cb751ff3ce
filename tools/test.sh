#!/usr/bin/env bash
# tools/test.sh (make test): bootstrap, build, install, then run every test:
#   1. unit tests of the pure C cores          (make unit, TAP)
#   2. bounded fuzzing of the decoders          (make fuzz, FUZZ_SECONDS each)
#   3. pg_regress suites in sql/ + expected/    (make installcheck)
#   4. pgTAP tests in test/pgtap/               (pg_prove)
#   5. every SQL example of README.md and docs/ (tools/doc-examples.sh)
# 3 to 5 run on a throwaway cluster that is removed afterwards.
# The last line is "N passed, N failed"; the exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

tools/bootstrap.sh || exit 1
. tools/pgenv.sh
build_and_install || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
mkdir -p build
count_tap() {   # count_tap LOGFILE: add its ok / not ok lines to the totals
  local p f
  p=$(grep -cE '^[[:space:]]*ok [0-9]+' "$1")
  f=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$1")
  passed=$((passed + p)); failed=$((failed + f))
}

echo "== unit tests of the pure C cores"
if make -s unit >build/unit.log 2>&1; then :; else
  grep -qE '^not ok' build/unit.log || failed=$((failed + 1))
fi
grep -E '^(not ok|# )' build/unit.log; count_tap build/unit.log
echo "   $(grep -cE '^ok' build/unit.log) ok, $(grep -cE '^not ok' build/unit.log) not ok"

if ls test/fuzz/*_fuzz.c >/dev/null 2>&1; then
  echo "== fuzzing (${FUZZ_SECONDS:=10}s per harness)"
  for src in test/fuzz/*_fuzz.c; do
    name=$(basename "$src" .c)
    if make -s fuzz FUZZERS="build/fuzz/$name" FUZZ_SECONDS="$FUZZ_SECONDS" >"build/$name.log" 2>&1; then
      passed=$((passed + 1)); echo "   $name: ok ($(grep -oE 'number_of_executed_units: [0-9]+' "build/$name.log" | tail -1))"
    else
      failed=$((failed + 1)); echo "   $name: FAILED"; tail -30 "build/$name.log"
    fi
  done
fi

tmp=$(mktemp -d /tmp/b2bmetrics-test.XXXXXX)
chmod 755 "$tmp"
cleanup() { cluster_stop "$tmp/data"; rm -rf "$tmp"; }
trap cleanup EXIT
cluster_start "$tmp/data" 5432 '' || { echo "could not start a test cluster"; echo "$passed passed, $((failed + 1)) failed"; exit 1; }
export PGHOST="$tmp/data" PGPORT=5432 PGUSER=postgres

echo "== pg_regress (make installcheck)"
make -s installcheck PG_CONFIG="$PG_CONFIG" >build/regress.log 2>&1
regress_status=$?
grep -E '^(test |ok |not ok |     [a-z])|tests? (passed|failed)' build/regress.log | sed 's/^/   /'
p=$(grep -cE '(\.\.\. ok|^ok [0-9]+)' build/regress.log)
f=$(grep -cE '(\.\.\. FAILED|^not ok [0-9]+)' build/regress.log)
[ "$regress_status" -ne 0 ] && [ "$f" -eq 0 ] && f=1
passed=$((passed + p)); failed=$((failed + f))
[ "$f" -gt 0 ] && [ -f regression.diffs ] && head -80 regression.diffs

echo "== pgTAP (pg_prove)"
if ls test/pgtap/*.sql >/dev/null 2>&1; then
  createdb b2b_tap
  psql -q -X -v ON_ERROR_STOP=1 -d b2b_tap >build/pgtap-setup.log 2>&1 <<'SQL' || { cat build/pgtap-setup.log; failed=$((failed + 1)); }
SET client_min_messages = warning;
CREATE EXTENSION pgtap;
CREATE EXTENSION b2bmetrics;
\i sample/b2b_sample.sql
SQL
  pg_prove --verbose -d b2b_tap test/pgtap/*.sql >build/pgtap.log 2>&1
  prove_status=$?
  grep -E '^(test/|not ok|Result|Files=)|^[[:space:]]+(Failed|not ok)' build/pgtap.log | sed 's/^/   /'
  before=$failed
  count_tap build/pgtap.log
  [ "$prove_status" -ne 0 ] && [ "$failed" -eq "$before" ] && failed=$((failed + 1))
fi

echo "== documentation examples (tools/doc-examples.sh)"
createdb b2b_docs
if psql -q -X -v ON_ERROR_STOP=1 -d b2b_docs >build/docs-setup.log 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION b2bmetrics;
\i sample/b2b_sample.sql
CALL b2b_sample_generate(0.2, 42);
SQL
then
  DOC_DB=b2b_docs tools/doc-examples.sh >build/docs.log 2>&1
  docs_status=$?
  grep -E '^(not ok|#)' build/docs.log | sed 's/^/   /'
  before=$failed
  count_tap build/docs.log
  echo "   $(grep -cE '^ok' build/docs.log) ok, $(grep -cE '^not ok' build/docs.log) not ok"
  [ "$docs_status" -ne 0 ] && [ "$failed" -eq "$before" ] && failed=$((failed + 1))
else
  cat build/docs-setup.log; failed=$((failed + 1))
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
