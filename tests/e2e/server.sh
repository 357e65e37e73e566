#!/bin/sh
# madi serve end to end: accounts for every role over a small demo, the server on a port the OS
# picks, then the access-control probe suite (tests/e2e/server_probe.py): every operation as
# every role, the attacks, the headers. The acceptance floor's check runs too.
set -u
command -v curl >/dev/null || { echo "curl missing"; exit 77; }
w=$(mktemp -d); pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$w"' EXIT
"$MADI_BIN" demo --seed 7 --scale 0.05 --dir "$w/d" >/dev/null 2>&1 || { echo "FAIL: demo"; exit 1; }
db="$w/d/madi.db"
add() { printf '%s\n' "$3" | "$MADI_BIN" user add "$1" --role "$2" ${4:+--org "$4"} --db "$db" >/dev/null || { echo "FAIL: user add $1"; exit 1; }; }
add ada admin 'admin password 1'
add rui reviewer 'reviewer password 1'
add ana analyst 'analyst password 1'
add ola operator 'operator password 1' OP-02
add obi operator 'operator password 2' OP-03
add cas caseworker 'case password 1'
add loc analyst 'lock me password 1'
cases=$("$MADI_BIN" survivor list --db "$db" 2>/dev/null | awk 'NR>1 {print $1}' | head -2)
case1=$(echo "$cases" | sed -n 1p); case2=$(echo "$cases" | sed -n 2p)
[ -n "$case2" ] || { echo "FAIL: the demo has no two survivors"; exit 1; }
"$MADI_BIN" user assign cas "$case1" --db "$db" >/dev/null || { echo "FAIL: user assign"; exit 1; }
# a clean file of each operator: their first EORE session of 2025 again, under a new id
for op in 02 03; do
    f=$(ls "$w/d"/op${op}_eore_2025.csv)
    head -1 "$f" > "$w/up$op.csv"
    sed -n 2p "$f" | sed "s/^OP${op}-2025-S[0-9]*/OP${op}-2025-PROBE1/" >> "$w/up$op.csv"
done
"$MADI_BIN" serve --db "$db" --listen 127.0.0.1:0 --timeout 2 --public 2>"$w/serve.log" &
pid=$!
port=""
for i in $(seq 100); do
    port=$(sed -n 's/.*on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$w/serve.log")
    [ -n "$port" ] && curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: the server did not start"; cat "$w/serve.log"; exit 1; }
cat > "$w/acc.json" <<JSON
{"admin": ["ada", "admin password 1"], "reviewer": ["rui", "reviewer password 1"],
 "analyst": ["ana", "analyst password 1"], "operator": ["ola", "operator password 1"],
 "other_operator": ["obi", "operator password 2"], "caseworker": ["cas", "case password 1"],
 "lockme": ["loc", "lock me password 1"], "own_org": "OP-02", "other_org": "OP-03",
 "case": "$case1", "other_case": "$case2", "upload_a": "$w/up02.csv", "upload_b": "$w/up03.csv",
 "db": "$db", "madi": "$MADI_BIN", "timeout": 2}
JSON
python3 "$MADI_SRC/tests/e2e/server_probe.py" "http://127.0.0.1:$port" "$w/acc.json" || { tail -20 "$w/serve.log"; exit 1; }
grep -q 'POST /api/v1/login 401 .* login failed for loc$' "$w/serve.log" || { echo "FAIL: a failed login is not in the request log with the name tried"; exit 1; }
# a request cannot write a line of its own into the request log
curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/x%0a10.0.0.9%20POST%20/api/v1/submissions/1/approve%20200%201.0ms%20ada"
grep -q '^10.0.0.9 POST' "$w/serve.log" && { echo "FAIL: a forged line in the request log"; exit 1; }
grep -q 'x\\x0a10.0.0.9' "$w/serve.log" || { echo "FAIL: the request with a newline is not in the log, escaped"; tail -3 "$w/serve.log"; exit 1; }

# Stopped as Ctrl-C would: it must end cleanly (under ASan, LeakSanitizer checks the shutdown).
kill -INT "$pid"; wait "$pid"; rc=$?; pid=""
[ $rc -eq 0 ] || { echo "FAIL: madi serve ended with $rc after SIGINT"; tail -30 "$w/serve.log"; exit 1; }
grep -q 'madi: stopping' "$w/serve.log" || { echo "FAIL: no clean stop in the log"; exit 1; }

# Plain HTTP on the network is refused unless asked for.
"$MADI_BIN" serve --db "$db" --listen 0.0.0.0:0 >"$w/plain.out" 2>&1
[ $? -eq 2 ] && grep -q 'without --cert' "$w/plain.out" || { echo "FAIL: plain HTTP on 0.0.0.0 was not refused"; cat "$w/plain.out"; exit 1; }

# TLS: the same server over HTTPS with a self-signed certificate; the cookie is then Secure.
command -v openssl >/dev/null || { echo "server: TLS part skipped (no openssl)"; exit 0; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$w/k.pem" -out "$w/c.pem" -days 2 \
    -subj /CN=localhost >/dev/null 2>&1 || { echo "FAIL: openssl req"; exit 1; }
"$MADI_BIN" serve --db "$db" --listen 127.0.0.1:0 --cert "$w/c.pem" --key-pem "$w/k.pem" --quiet 2>"$w/tls.log" &
pid=$!
port=""
for i in $(seq 100); do
    port=$(sed -n 's/.*on https:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$w/tls.log")
    [ -n "$port" ] && curl -sk -o /dev/null "https://127.0.0.1:$port/" && break
    sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: the TLS server did not start"; cat "$w/tls.log"; exit 1; }
h=$(curl -sk -D - -o /dev/null -H 'Content-Type: application/json' \
    -d '{"user":"ana","password":"analyst password 1"}' "https://127.0.0.1:$port/api/v1/login")
echo "$h" | grep -qi '^strict-transport-security: max-age=' || { echo "FAIL: no HSTS over TLS"; exit 1; }
echo "$h" | grep -i '^set-cookie:' | grep '__Host-madi_session=' | grep -q 'Secure' || { echo "FAIL: the cookie is not __Host- and Secure over TLS: $h"; exit 1; }
curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && { echo "FAIL: plain HTTP answered on the TLS port"; exit 1; }
for old in "-tls1 -cipher DEFAULT@SECLEVEL=0" "-tls1_1 -cipher DEFAULT@SECLEVEL=0" "-tls1_2 -cipher AES128-SHA@SECLEVEL=0"; do
    # shellcheck disable=SC2086
    if echo | openssl s_client -connect "127.0.0.1:$port" $old 2>/dev/null | grep -q '^ *Cipher *: *[A-Z]'; then
        echo "FAIL: TLS accepted 'openssl s_client $old' (old protocol or a cipher without forward secrecy)"; exit 1
    fi
done
echo | openssl s_client -connect "127.0.0.1:$port" -tls1_2 2>/dev/null | grep -q '^ *Cipher *: *ECDHE' \
    || { echo "FAIL: TLS 1.2 with forward secrecy refused"; exit 1; }
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=""
[ $rc -eq 0 ] || { echo "FAIL: madi serve (TLS) ended with $rc after SIGTERM"; tail -30 "$w/tls.log"; exit 1; }
echo "server: TLS with HSTS and a Secure cookie"
