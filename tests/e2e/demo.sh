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
check "headline KPIs printed" 'echo "$out" | grep -q "== 4. Headline indicators, 2025"'
check "headline share of women in the workforce" 'echo "$out" | grep -E -q "^   staff.women_share +[0-9.]+%"'
check "targets judged" 'echo "$out" | grep -E -q "targets: [0-9]+ achieved, [0-9]+ on track"'
"$MADI_BIN" indicators --db "$w/d/madi.db" --format json > "$w/ind.json"; rc3=$?
check "madi indicators --format json on the demo" '[ $rc3 -eq 0 ]'
check "indicators JSON parses and names every indicator by id" \
  'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); ids=[i[\"id\"] for i in d[\"indicators\"]]; sys.exit(0 if len(ids) >= 50 and len(set(ids)) == len(ids) else 1)" "$w/ind.json"'
"$MADI_BIN" indicators --db "$w/d/madi.db" --by sex,age --format csv > "$w/ind.csv"; rc4=$?
check "madi indicators --by sex,age --format csv" '[ $rc4 -eq 0 ] && [ $(wc -l < "$w/ind.csv") -gt 100 ]'
"$MADI_BIN" quality --db "$w/d/madi.db" --period 2024 > "$w/q.txt"; rc5=$?
check "madi quality finds the rejected 2024 risk education file's reports missing" \
  '[ $rc5 -eq 0 ] && grep -q "the eore report for 2024-Q1 has not come" "$w/q.txt"'
"$MADI_BIN" indicators --db "$w/d/madi.db" --period 2024-Q3 --trend --id staff.women_share >/dev/null; rc6=$?
check "a quarter and --trend" '[ $rc6 -eq 0 ]'
# Issue #7: a second demo in the same folder replaces its own key; a key file it did not make is
# never deleted (the demo stops instead).
"$MADI_BIN" demo --seed 7 --scale 0.03 --dir "$w/d" >/dev/null 2>&1; rc7=$?
check "a second demo in the same folder (rc $rc7)" '[ $rc7 -eq 0 ] && [ -f "$w/d/madi.db.key.demo" ]'
mkdir -p "$w/real"
"$MADI_BIN" init --db "$w/real/madi.db" >/dev/null 2>&1
"$MADI_BIN" keys init --db "$w/real/madi.db" >/dev/null 2>&1
cp "$w/real/madi.db.key" "$w/real.key.copy"
"$MADI_BIN" demo --seed 7 --scale 0.03 --dir "$w/real" >/dev/null 2>"$w/real.err"; rc8=$?
check "a key file the demo did not make is left alone (rc $rc8)" \
  '[ $rc8 -ne 0 ] && cmp -s "$w/real/madi.db.key" "$w/real.key.copy" && grep -q "did not make" "$w/real.err"'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
