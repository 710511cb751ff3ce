#!/usr/bin/env bash
# tools/doc-examples.sh [FILE.md ...]: run every SQL example of the manual.
#
# Each fenced block that opens with ```sql in README.md and docs/*.md (or the
# files given) runs, in order, in one session per file, against the sample
# dataset (database $DOC_DB, default b2b_docs, made by tools/test.sh).  A block
# fenced ```sql fails must raise an error; any other block must not.  Each file
# runs in one transaction that is rolled back, so examples may create tables and
# views for the examples after them.  Prints one "ok"/"not ok" line per block
# and exits non-zero when any block went wrong.
set -uo pipefail
cd "$(dirname "$0")/.."

db=${DOC_DB:-b2b_docs}
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(README.md docs/*.md)

out=$(mktemp /tmp/b2b-doc-examples.XXXXXX)
trap 'rm -f "$out" "$out.sql"' EXIT
status=0
n=0
for f in "${files[@]}"; do
  # One psql script per file: every block in a savepoint, its outcome echoed.
  awk -v file="$f" '
    BEGIN { print "\\set QUIET on"; print "\\pset pager off"; print "BEGIN;";
            print "SET client_min_messages = warning;" }
    /^```sql( fails)?[[:space:]]*$/ && !inblock {
      inblock = 1; fails = ($0 ~ /fails/); start = NR + 1; last = ""
      print "SAVEPOINT doc_example;"
      print "\\o /dev/null"
      next }
    /^```/ && inblock {
      inblock = 0
      print "\\o"
      if (last !~ /;[[:space:]]*$/) {
        print "\\echo not ok " file ":" start " (the block must end with a semicolon)"
        print "ROLLBACK TO SAVEPOINT doc_example;"
        next }
      print "\\if :ERROR"
      print (fails ? "\\echo ok " : "\\echo not ok ") file ":" start
      print "ROLLBACK TO SAVEPOINT doc_example;"
      print "\\else"
      print (fails ? "\\echo not ok " : "\\echo ok ") file ":" start (fails ? " (expected an error)" : "")
      print "RELEASE SAVEPOINT doc_example;"
      print "\\endif"
      next }
    inblock { print; code = $0; sub(/--.*$/, "", code); if (code !~ /^[[:space:]]*$/) last = code }
    END { print "ROLLBACK;" }
  ' "$f" > "$out.sql"
  psql -X -d "$db" -v ON_ERROR_STOP=0 -f "$out.sql" > "$out" 2>&1
  grep -E '^(not )?ok ' "$out"
  if grep -q '^not ok ' "$out"; then
    status=1
    grep -vE '^(ok |not ok )' "$out" | grep -E 'ERROR|DETAIL|HINT|LINE' | head -20 | sed 's/^/#   /'
  fi
  n=$((n + $(grep -cE '^(not )?ok ' "$out")))
done
echo "# $n examples"
exit $status
