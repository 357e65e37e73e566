#!/bin/sh
# Record ids repeated at scale (the bounded-memory check in rowids.c): 300,000 rows whose ids
# cycle every 70,000 give 230,000 repeats; the first 100,000 are listed in line order, each
# pointing at the first row with that id, and the rest counted. Worked out from the file:
# row i (line i + 1) has id M-(i mod 70000), so the first repeat is row 70,001 (line 70,002),
# M-1, first on line 2; the 100,000th is row 170,000 (line 170,001), M-30000, first on line
# 30,001. With TMPDIR unusable the import fails with a message and changes nothing.
set -u
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
cd "$w" || exit 1
printf 'code,name\nOP-A,Alpha\n' > o.csv
printf 'code,name,level,parent\nXX,Country,0,\nXX01,North,1,XX\n' > a.csv
"$MADI_BIN" init --db t.db >/dev/null && "$MADI_BIN" import --db t.db -q o.csv a.csv ||
    { echo "FAIL: setup"; exit 1; }
awk 'BEGIN { print "record_id,date,organisation,area"; for (i = 1; i <= 300000; i++) print "M-" (i % 70000) ",2025-01-10,OP-A,XX01" }' > m.csv
"$MADI_BIN" import --db t.db --kind eore-attendance m.csv 2> err >/dev/null
rc=$?
[ "$rc" = 1 ] || { echo "FAIL: exit status $rc, not 1"; exit 1; }
n=$(grep -c "already on line" err)
[ "$n" = 100000 ] || { echo "FAIL: $n repeats listed, not 100000"; exit 1; }
first=$(grep -m1 "already on line" err)
[ "$first" = "m.csv:70002:1: error: record_id: record_id 'M-1': already on line 2 of this file (each record once: remove or renumber one of them)" ] ||
    { echo "FAIL: first repeat: $first"; exit 1; }
last=$(grep "already on line" err | tail -1)
case "$last" in "m.csv:170001:1: error: record_id: record_id 'M-30000': already on line 30001 "*) ;;
*) echo "FAIL: last listed repeat: $last"; exit 1 ;; esac
grep -q "error: record_id: 130000 more rows repeat an id" err || { echo "FAIL: the count of the rest"; exit 1; }
# In line order.
grep "already on line" err | cut -d: -f2 | sort -n -c 2>/dev/null || { echo "FAIL: not in line order"; exit 1; }
before=$(sqlite3 t.db "SELECT count(*) FROM batch; SELECT count(*) FROM eore_attendance_block")
mkdir ro && chmod 500 ro
TMPDIR="$w/ro" "$MADI_BIN" import --db t.db --kind eore-attendance m.csv 2> err2 >/dev/null
rc=$?
if [ "$(id -u)" != 0 ]; then
    [ "$rc" != 0 ] && grep -q "cannot make a temporary file in $w/ro" err2 ||
        { echo "FAIL: an unusable TMPDIR: rc $rc"; cat err2; exit 1; }
fi
TMPDIR=/nonexistent "$MADI_BIN" import --db t.db --kind eore-attendance m.csv 2> err3 >/dev/null
rc=$?
[ "$rc" != 0 ] && grep -q "cannot make a temporary file in /nonexistent" err3 ||
    { echo "FAIL: a missing TMPDIR: rc $rc"; cat err3; exit 1; }
[ "$(sqlite3 t.db "SELECT count(*) FROM batch; SELECT count(*) FROM eore_attendance_block")" = "$before" ] ||
    { echo "FAIL: the database changed"; exit 1; }
echo "ok: 230,000 repeats, 100,000 listed in line order, the rest counted; TMPDIR honoured"
