#!/bin/sh
# The demo end to end at a small scale: files generated, the broken ones rejected with
# file:line:column messages, the rest stored, a summary printed, exit 0.
set -u
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
out=$("$MADI_BIN" demo --seed 7 --scale 0.03 --dir "$w/d" 2>&1); rc=$?
fail=0; pass=0
check() { if eval "$2"; then pass=$((pass+1)); else echo "FAIL: $1"; fail=$((fail+1)); fi; }
check "exit 0 (got $rc)" '[ $rc -eq 0 ]'
check "database left in DIR/madi.db" '[ -s "$w/d/madi.db" ]'
check "some files rejected" 'echo "$out" | grep -q "REJECTED"'
check "rejections point at file:line:col" 'echo "$out" | grep -E -q "\.csv:[0-9]+:[0-9]+: error: "'
check "files stored" 'echo "$out" | grep -E -q "^   [0-9]+ files stored \([0-9]+ rows\), [0-9]+ rejected"'
check "summary printed" 'echo "$out" | grep -q "Risk education sessions (in person):"'
check "casualties summarised" 'echo "$out" | grep -q "Casualties (direct victims):"'
n=$(sqlite3 "$w/d/madi.db" "select count(*) from batch where status='active'")
check "batches stored ($n)" '[ "$n" -gt 10 ]'
prov=$(sqlite3 "$w/d/madi.db" "select count(*) from organisation where provisional=1")
check "no provisional organisations in the demo ($prov)" '[ "$prov" -eq 0 ]'
"$MADI_BIN" summary --db "$w/d/madi.db" >/dev/null; rc2=$?
check "madi summary on the demo database" '[ $rc2 -eq 0 ]'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
