#!/bin/sh
# madi report end to end: the public report of a small demo is attacked by linear algebra and
# linear programming over all its published tables (tests/e2e/sdc_attack.py, independent of
# madi's code) for every year; its HTML has charts and no small count in any table; the
# internal report says it is not for publication; JSON-stat datasets carry _T and _U; CSV
# has its HXL row and neutralises text a spreadsheet would run.
set -u
py=/usr/bin/python3
$py -c "import numpy, scipy" 2>/dev/null || { echo "numpy/scipy missing (scripts/deps.sh installs python3-scipy)"; exit 77; }
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
fail=0; pass=0
check() { if eval "$2"; then pass=$((pass+1)); else echo "FAIL: $1"; fail=$((fail+1)); fi; }
attack="$MADI_SRC/tests/e2e/sdc_attack.py"
$py "$attack" --self-test >/dev/null; check "the attack breaks a table protected by primary suppression alone" '[ $? -eq 0 ]'
"$MADI_BIN" demo --seed 7 --scale 0.05 --dir "$w/d" >/dev/null 2>&1
check "demo built" '[ -s "$w/d/madi.db" ]'
for p in 2023 2024 2025 2025-Q3; do
    "$MADI_BIN" report --db "$w/d/madi.db" --period $p --format json -o "$w/$p.json" 2>/dev/null
    check "public JSON for $p" '[ -s "$w/$p.json" ]'
    $py "$attack" "$w/$p.json" > "$w/$p.attack" 2>&1
    check "no hidden cell of $p recovered exactly or pinned (see $p.attack)" '[ $? -eq 0 ] || { cat "$w/$p.attack"; false; }'
done
$py - "$w/2023.json" "$w/2024.json" <<'PY' > "$w/prev" 2>&1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
hidden = {i['id'] for i in a['extension']['indicators'] if i['status'] != 'ok'}
shown = {i['id'] for i in b['extension']['indicators'] if i.get('previous_year') is not None}
print('leaked:', sorted(hidden & shown))
PY
check "a share hidden in 2023 is not shown as the year before in 2024" 'grep -q "^leaked: \[\]" "$w/prev" || { cat "$w/prev"; false; }'
$py - "$w/2024.json" <<'PY' > "$w/shape" 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
assert d['class'] == 'collection' and d['version'] == '2.0'
sets = d['link']['item']
assert len(sets) >= 5, len(sets)
hidden = 0
for s in sets:
    n = 1
    for dim, size in zip(s['id'], s['size']):
        idx = s['dimension'][dim]['category']['index']
        assert '_T' in idx and '_U' in idx, (s['label'], dim)
        assert len(idx) == size
        n *= size
    assert len(s['value']) == n
    for i, v in enumerate(s['value']):
        if v is None:
            assert s['status'][str(i)] in ('c', '-')
            hidden += s['status'][str(i)] == 'c'
    assert s['extension']['measure']
print('ok', hidden)
PY
check "JSON-stat datasets: id, size, dimension with _T and _U, value, status" 'grep -q "^ok [1-9]" "$w/shape" || { cat "$w/shape"; false; }'
"$MADI_BIN" report --db "$w/d/madi.db" --period 2024 -o "$w/pub.html" 2>/dev/null
check "HTML report has SVG charts with text alternatives" 'grep -q "<svg class=\"chart\" role=\"img\"" "$w/pub.html" && grep -q "<title>" "$w/pub.html"'
check "no table cell of the public HTML is a count of 1 to 4" '! grep -o "<td>[0-9,]*</td>" "$w/pub.html" | grep -E -q "<td>[1-4]</td>"'
check "suppressed cells marked and explained" 'grep -q "<td class=\"c\">c</td>" "$w/pub.html" && grep -q "c: not published" "$w/pub.html"'
check "treaty annexes: APMBC F, I, J and CCM F, G, H with their period" 'grep -q "APMBC Article 7, Form F" "$w/pub.html" && grep -q "CCM Article 7, Form H" "$w/pub.html" && grep -q "Reporting period: from 01/01/2024 to 31/12/2024" "$w/pub.html"'
check "WPS scorecard: data evidence and dated self-assessment" 'grep -q "WPS alignment scorecard" "$w/pub.html" && grep -q "self-assessed partly on 2025-11-01" "$w/pub.html" || grep -q "self-assessed no on 2024-03-01" "$w/pub.html"'
check "cross-framework table" 'grep -q "One set of facts, every framework" "$w/pub.html"'
check "GDEI section with places for what people write" 'grep -q "to be written by the national authority" "$w/pub.html"'
"$MADI_BIN" report --db "$w/d/madi.db" --period 2024 --audience internal -o "$w/int.html" 2>/dev/null
check "internal report says it is not for publication" 'grep -q "NOT FOR PUBLICATION" "$w/int.html"'
check "internal report shows small counts" 'grep -o "<td>[0-9,]*</td>" "$w/int.html" | grep -E -q "<td>[1-4]</td>"'
"$MADI_BIN" report --db "$w/d/madi.db" --period 2024 --format md -o "$w/pub.md" 2>/dev/null
check "Markdown report" 'grep -q "^## Explosive ordnance risk education" "$w/pub.md"'
"$MADI_BIN" report --db "$w/d/madi.db" --period 2024 --format xlsx -o "$w/pub.xlsx" 2>/dev/null
$py - "$w/pub.xlsx" "$w/2024.json" <<'PY' > "$w/xlsx" 2>&1
import json, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sheets = sorted(n for n in z.namelist() if re.match(r'xl/worksheets/sheet\d+\.xml$', n))
names = re.findall(r'<sheet name="([^"]+)"', z.read('xl/workbook.xml').decode())
tables = [d for d in json.load(open(sys.argv[2]))['link']['item']]
assert names[0] == 'Indicators' and names[-1] == 'Notes', names
assert len(sheets) == len(tables) + 2, (len(sheets), len(tables))
strings = z.read('xl/sharedStrings.xml').decode()
formulas = sum('<f>' in z.read(s).decode() for s in sheets)
frozen = sum('<pane ' in z.read(s).decode() for s in sheets)
assert formulas == 0, 'formulas in the workbook'
assert frozen == len(sheets) - 1, 'headers not frozen'
assert '>c<' in strings and 'not published' in strings
print('ok', len(sheets))
PY
check "XLSX read back: a sheet per table, frozen headers, the marker and its note, no formula" 'grep -q "^ok" "$w/xlsx" || { cat "$w/xlsx"; false; }'
# spreadsheet safety: an area whose code a spreadsheet would run
mkdir "$w/f"; cd "$w/f"
printf 'code,name\nOP-A,Alpha\n' > orgs.csv
printf 'code,name,level,parent\nXX,Country,0,\n=SUM(1),Hill,1,XX\n' > areas.csv
printf 'session_id,date,organisation,area,participants,girls,boys,women,men,sex_age_unknown\nE1,2025-02-01,OP-A,=SUM(1),60,10,10,20,15,5\n' > eore.csv
"$MADI_BIN" init --db f.db >/dev/null 2>&1
"$MADI_BIN" import --db f.db -q orgs.csv areas.csv eore.csv >/dev/null 2>&1
"$MADI_BIN" report --db f.db --period 2025 --format csv -o r.csv 2>/dev/null
check "CSV report has the HXL row" 'sed -n 2p r.csv | grep -q "^#meta+id,"'
check "CSV neutralises a formula in a code" 'grep -q "\"'"'"'=SUM(1)\"" r.csv && ! grep -q ",=SUM" r.csv'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
