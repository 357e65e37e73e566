#!/bin/sh
# The API's OpenAPI document: the copy in docs/openapi.json is the one madi serve serves (it is
# written from the route table), and every operation is well formed: a unique operationId, the
# roles that may call it (x-madi-roles, known role names), a documented {id} where the path has
# one, and 401/403 answers for what needs a login.
set -u
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
"$MADI_BIN" serve --openapi > "$w/api.json" || { echo "FAIL: madi serve --openapi"; exit 1; }
cmp -s "$w/api.json" "$MADI_SRC/docs/openapi.json" || {
    echo "FAIL: docs/openapi.json is not what the server serves: run build/madi serve --openapi > docs/openapi.json"
    diff "$MADI_SRC/docs/openapi.json" "$w/api.json" | head -20; exit 1; }
python3 - "$w/api.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
roles = {'public', 'operator', 'reviewer', 'analyst', 'caseworker', 'admin'}
bad, ids = [], set()
assert d['openapi'].startswith('3.'), d['openapi']
for path, item in d['paths'].items():
    for m, op in item.items():
        oid = op.get('operationId')
        if not oid or oid in ids:
            bad.append(f'{m} {path}: operationId missing or repeated')
        ids.add(oid)
        r = op.get('x-madi-roles')
        if not r or not set(r) <= roles:
            bad.append(f'{oid}: x-madi-roles {r}')
        if '{id}' in path and not any(p.get('in') == 'path' and p['name'] == 'id'
                                      for p in op.get('parameters', [])):
            bad.append(f'{oid}: {{id}} not documented')
        if 'public' not in (r or []) and not {'401', '403'} <= set(op['responses']):
            bad.append(f'{oid}: no 401/403 answers documented')
        if m == 'post' and 'public' not in (r or []) and not any(
                p['name'] == 'X-CSRF-Token' for p in op.get('parameters', [])):
            bad.append(f'{oid}: a change without its CSRF header documented')
print('openapi: %d operations' % len(ids) if not bad else 'openapi: ' + '; '.join(bad))
sys.exit(1 if bad else 0)
PY
