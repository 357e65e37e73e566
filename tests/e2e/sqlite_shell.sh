#!/bin/sh
# The sqlite3 shell reads the attendance blocks through madi's extension (build/madi_rows.so,
# next to the madi binary): the same rows as madi sql, and writes refused. Under sanitizers the
# extension is instrumented, so the shell runs with their runtimes preloaded.
set -u
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
ext="$(dirname "$MADI_BIN")/madi_rows"
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3 shell"; exit 77; }
[ -f "$ext.so" ] || { echo "FAIL: $ext.so was not built"; exit 1; }
pre=""
if nm -D "$ext.so" 2>/dev/null | grep -q __asan_; then
    pre="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
fi
shell() { LD_PRELOAD="$pre" ASAN_OPTIONS=detect_leaks=0 sqlite3 -cmd ".load $ext" "$@"; }
cd "$w" || exit 1
printf 'code,name\nOP-A,Alpha\n' > o.csv
printf 'code,name,level,parent\nXX,Country,0,\nXX01,North,1,XX\n' > a.csv
printf 'record_id,date,organisation,area,sex,age\nA-1,2025-01-10,OP-A,XX01,F,30\nA-2,2025-01-10,OP-A,XX01,,\nA-3,2025-01-11,OP-A,XX01,M,7\n' > att.csv
"$MADI_BIN" init --db t.db >/dev/null && "$MADI_BIN" import --db t.db -q o.csv a.csv &&
    "$MADI_BIN" import --db t.db -q --kind eore-attendance att.csv || { echo "FAIL: setup"; exit 1; }
q="SELECT line, record_id, coalesce(sex, '-'), coalesce(age, '-') FROM eore_attendance ORDER BY line"
want="2|A-1|1|30
3|A-2|-|-
4|A-3|2|7"
got=$(shell t.db "$q") || { echo "FAIL: the shell could not read eore_attendance"; exit 1; }
[ "$got" = "$want" ] || { echo "FAIL: the shell read"; echo "$got"; exit 1; }
[ "$("$MADI_BIN" sql --db t.db "$q")" = "$want" ] || { echo "FAIL: madi sql differs"; exit 1; }
if shell t.db "DELETE FROM eore_attendance" 2>/dev/null; then
    echo "FAIL: a write through the shell was accepted"; exit 1
fi
[ "$(shell t.db "SELECT count(*) FROM eore_attendance")" = 3 ] || { echo "FAIL: rows lost"; exit 1; }
# Without the extension the shell says what is missing, and the other tables still read.
sqlite3 t.db "SELECT count(*) FROM eore_attendance" 2>&1 | grep -q "no such module: madi_rows" ||
    { echo "FAIL: the shell without the extension"; exit 1; }
[ "$(sqlite3 t.db "SELECT count(*) FROM organisation")" = 1 ] || { echo "FAIL: other tables"; exit 1; }
echo "ok: the sqlite3 shell reads eore_attendance with .load madi_rows; writes refused"
