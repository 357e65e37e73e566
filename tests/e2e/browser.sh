#!/bin/sh
# The web interface in headless Chromium (Debian's chromium, driven by playwright-core from npm;
# no browser is downloaded): a demo database, one account per role, `madi serve --public` on a
# free port, then tests/browser/scenario.js (log in, upload a file with an error and see it at
# its cell, fix and submit, approve as reviewer, see the figure move on the dashboard, the
# public view shows no suppressed number, French, keyboard only). Screenshots are left in
# ./browser-artefacts/ (ctest runs this in the build directory). Skipped (77) only when node or
# chromium is not installed.
set -u
B="$MADI_SRC/tests/browser"
NODE=$(command -v node || true)
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$NODE" ] || { echo "skipped: node is not installed (scripts/deps.sh installs nodejs npm)"; exit 77; }
major=$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$major" -ge 20 ] 2>/dev/null || { echo "skipped: playwright-core needs node 20 or newer, this is $("$NODE" --version)"; exit 77; }
if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
    echo "skipped: chromium is not installed (scripts/deps.sh installs it)"; exit 77
fi
if [ ! -f "$B/node_modules/playwright-core/package.json" ]; then
    command -v npm >/dev/null || { echo "FAIL: npm is missing (scripts/deps.sh installs it)"; exit 1; }
    (cd "$B" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) \
        || { echo "FAIL: npm ci in tests/browser"; exit 1; }
fi

ART="$PWD/browser-artefacts"
rm -rf "$ART"; mkdir -p "$ART"
w=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$w"; }
trap cleanup EXIT
M=$MADI_BIN
unset MADI_DB MADI_KEY_FILE
export MADI_TODAY=20261123

"$M" demo --seed 7 --scale 0.03 --dir "$w/d" > "$ART/demo.log" 2>&1 || { echo "FAIL: madi demo"; tail -20 "$ART/demo.log"; exit 1; }
DB="$w/d/madi.db"
[ -s "$DB" ] || { echo "FAIL: the demo left no $DB"; exit 1; }

# The organisation and an area the uploaded rows speak for: those of a demo risk education file.
f=$(ls "$w"/d/op*_eore_2*.csv 2>/dev/null | head -1)
[ -n "$f" ] || { echo "FAIL: the demo wrote no risk education file"; exit 1; }
ORG=$(awk -F, 'NR == 2 { print $3; exit }' "$f")
AREA=$(awk -F, 'NR == 2 { print $4; exit }' "$f")
PW="correct horse battery staple"
add() { printf '%s\n' "$PW" | "$M" user add "$1" --role "$2" ${3:+--org "$3"} --db "$DB" >/dev/null 2>>"$ART/users.log"; }
add admin.one admin || { echo "FAIL: madi user add (see users.log)"; cat "$ART/users.log"; exit 1; }
add rev.one reviewer && add ana.one analyst && add op.one operator "$ORG" \
    || { echo "FAIL: madi user add"; cat "$ART/users.log"; exit 1; }
CW=""
if "$M" user --help 2>&1 | grep -q assign; then
    # the first survivor, and one with an overdue referral (the referral queue marks it)
    sid=$(awk -F, 'NR > 1 && $1 !~ /^#/ { print $1; exit }' "$w/d/va_survivors.csv" 2>/dev/null)
    late=$("$M" referrals --overdue --db "$DB" 2>/dev/null | awk 'NR == 2 { print $2 }')
    if [ -n "$sid" ] && add cw.one caseworker && \
        "$M" user assign cw.one "$sid" ${late:+"$late"} --db "$DB" >>"$ART/users.log" 2>&1; then
        CW=cw.one
        [ -n "$late" ] && export MADI_EXPECT_OVERDUE=1
    else
        echo "note: could not assign a case to a case worker (see users.log); case views not tested"
    fi
fi

: > "$ART/server.log"
"$M" serve --db "$DB" --listen 127.0.0.1:0 --public > "$ART/server.log" 2>&1 &
pid=$!
port=""
i=0
while [ $i -lt 100 ]; do
    port=$(sed -n 's|.*serving .* on http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$ART/server.log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2; i=$((i + 1))
done
[ -n "$port" ] || { echo "FAIL: madi serve did not start"; cat "$ART/server.log"; exit 1; }

MADI_URL="http://127.0.0.1:$port" MADI_PASSWORD="$PW" MADI_ORG="$ORG" MADI_AREA="$AREA" \
MADI_OPERATOR=op.one MADI_REVIEWER=rev.one MADI_ANALYST=ana.one MADI_ADMIN=admin.one \
MADI_CASEWORKER="$CW" MADI_ASSETS="$MADI_SRC/src/server/assets" ARTEFACTS="$ART" \
CHROMIUM="$CHROMIUM" "$NODE" "$B/scenario.js"
rc=$?
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""
if grep -q "ERROR: AddressSanitizer\|runtime error:" "$ART/server.log"; then
    echo "FAIL: the server reported a memory or undefined-behaviour error:"
    grep -A20 "ERROR: AddressSanitizer\|runtime error:" "$ART/server.log" | head -40
    rc=1
fi
[ $rc -eq 0 ] || { echo "server log (last lines):"; tail -30 "$ART/server.log"; }
exit $rc
