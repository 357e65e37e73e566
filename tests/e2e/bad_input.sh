#!/bin/sh
# Malformed files are rejected with FILE:LINE in the message, a non-zero exit, no crash, and a
# byte-for-byte unchanged database (checked with sqlite3 .dump). Mirrors the list.
set -u
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
cd "$w" || exit 1
"$MADI_BIN" init --db base.db >/dev/null || { echo "init failed"; exit 1; }
"$MADI_BIN" template eore > tpl.csv
hdr=$(head -1 tpl.csv); ncol=$(awk -F, 'NR==1{print NF}' tpl.csv)
row() { v=$1; r="$v"; i=1; while [ $i -lt "$ncol" ]; do r="$r,$v"; i=$((i+1)); done; printf '%s' "$r"; }
mk() { printf '%s\n' "$hdr" > "$1"; }
mk unterminated.csv; printf '"abc,%s\n' "$(row 1)" >> unterminated.csv
mk toomany.csv; printf '%s,1,1,1\n' "$(row 1)" >> toomany.csv
mk toofew.csv; printf '1,1\n' >> toofew.csv
mk badutf8.csv; printf '\377\376%s\n' "$(row 1)" >> badutf8.csv
mk nul.csv; printf 'a\000b,%s\n' "$(row 1)" >> nul.csv
mk hugefield.csv; { head -c 5000000 /dev/zero | tr '\000' 'x'; printf ',%s\n' "$(row 1)"; } >> hugefield.csv
mk negative.csv; printf '%s\n' "$(row -5)" >> negative.csv
mk utf16.csv; printf '\377\376s\000,\000' > utf16.csv
printf '' > empty.csv
fail=0; pass=0
for f in unterminated toomany toofew badutf8 nul hugefield negative utf16 empty; do
    cp base.db t.db
    before=$(sqlite3 t.db .dump | sha1sum)
    timeout 30 "$MADI_BIN" import --db t.db --kind eore "$f.csv" >out 2>err; rc=$?
    after=$(sqlite3 t.db .dump | sha1sum)
    ok=1
    [ $rc -eq 1 ] || { echo "$f: exit $rc, expected 1"; ok=0; }
    grep -q "^$f\.csv:[0-9]" err || { echo "$f: no $f.csv:LINE message"; cat err; ok=0; }
    [ "$before" = "$after" ] || { echo "$f: database changed"; ok=0; }
    if [ $ok -eq 1 ]; then pass=$((pass+1)); else fail=$((fail+1)); fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
