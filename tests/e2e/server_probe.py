#!/usr/bin/env python3
"""Access-control probe suite for `madi serve`, independent of the server's code.

For every operation of /api/v1/openapi.json and every role, what must be allowed and what must
be refused is written out below by hand (EXPECTED), from the issue's description of the roles,
not read from the server's route table. The suite checks that the document says the same
(x-madi-roles), then calls every operation as every role and asserts each refusal (401 without
a session, 403 for a role that may not) and that each allowed call is not refused. Then the
attacks: another organisation's submission, guessed ids, a missing or wrong CSRF token,
oversized bodies, a slow client, personal fields in an analyst's or the public's responses,
login lockout and rate limiting, security headers and cookie flags.

usage: server_probe.py BASE_URL ACCOUNTS.json
ACCOUNTS.json: {"role": ["user", "password"], ...} for every role, plus "other_operator" and
"lockme" accounts; "own_org", "other_org" (the operators'); "case" (assigned to the case worker)
and "other_case" (not); "upload_a", "upload_b" (clean files of each operator); "db", "madi",
"timeout" (the server's --timeout).
"""
import csv
import gzip
import http.client
import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse

BASE = sys.argv[1].rstrip('/')
ACC = json.load(open(sys.argv[2]))
U = urllib.parse.urlparse(BASE)

STAFF = {'operator', 'reviewer', 'analyst', 'caseworker', 'admin'}
ALL = STAFF | {'public'}
FIGURES = {'operator', 'reviewer', 'analyst', 'admin'}
# Who may call what, from the issue: operators their own organisation's submissions and
# figures; reviewers the queue; analysts aggregates only; case workers their cases; admins
# accounts (and what a reviewer does); the public the published dashboard only.
EXPECTED = {
    'login': ALL,
    'logout': STAFF,
    'me': STAFF,
    'config': ALL,
    'listUsers': {'admin'},
    'addUser': {'admin'},
    'listSubmissions': {'operator', 'reviewer', 'admin'},
    'uploadSubmission': {'operator', 'reviewer', 'admin'},
    'getSubmission': {'operator', 'reviewer', 'admin'},
    'submitSubmission': {'operator', 'reviewer', 'admin'},
    'previewSubmission': {'reviewer', 'admin'},
    'approveSubmission': {'reviewer', 'admin'},
    'returnSubmission': {'reviewer', 'admin'},
    'listBatches': {'reviewer', 'analyst', 'admin'},
    'dashboard': FIGURES,
    'dashboardChart': FIGURES,
    'report': FIGURES,
    'quality': FIGURES,
    'indicators': {'reviewer', 'analyst', 'admin'},  # no disclosure control: not for operators
    'publicDashboard': ALL,
    'publicChart': ALL,
    'publicReport': ALL,
    'listCases': {'caseworker'},
    'listReferrals': {'caseworker'},
    'openCase': {'caseworker'},
}
PERSONAL = re.compile(r'"(name|full_name|first_name|last_name|phone|national_id|id_number|'
                      r'address|home_location|notes)"\s*:', re.I)

passed = failed = 0


def check(what, ok, detail=''):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f'FAIL: {what}' + (f' ({detail})' if detail else ''))


def request(method, path, body=None, headers=None, session=None, raw=False):
    c = http.client.HTTPConnection(U.hostname, U.port, timeout=30)
    h = dict(headers or {})
    if session:
        h['Cookie'] = 'madi_session=' + session['token']
    if body is not None and not raw:
        body = json.dumps(body).encode()
        h.setdefault('Content-Type', 'application/json')
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    return r.status, hdrs, data


def login(role):
    user, pw = ACC[role]
    st, h, data = request('POST', '/api/v1/login', {'user': user, 'password': pw})
    assert st == 200, (role, st, data)
    cookie = h.get('set-cookie', '')
    token = re.search(r'madi_session=([^;]*)', cookie).group(1)
    return {'token': token, 'csrf': json.loads(data)['csrf'], 'cookie': cookie}


# ---- the document says what the table below says ----
st, h, data = request('GET', '/api/v1/openapi.json')
check('openapi.json served', st == 200)
spec = json.loads(data)
ops = {}
for path, item in spec['paths'].items():
    for method, op in item.items():
        ops[op['operationId']] = (method.upper(), path, op)
for oid, (m, p, op) in ops.items():
    check(f'{oid} is in the probe table (add new operations to EXPECTED)', oid in EXPECTED)
    if oid in EXPECTED:
        check(f'{oid}: x-madi-roles says who may call it', set(op.get('x-madi-roles', [])) ==
              EXPECTED[oid], f"{sorted(op.get('x-madi-roles', []))} != {sorted(EXPECTED[oid])}")
for oid in EXPECTED:
    check(f'{oid} is documented', oid in ops)

sessions = {r: login(r) for r in STAFF}
sessions['other_operator'] = login('other_operator')


def upload(se, path, name):
    st, _, data = request('POST', '/api/v1/submissions', open(path, 'rb').read(),
                          {'X-CSRF-Token': se['csrf'], 'X-File-Name': name}, se, raw=True)
    check(f'upload of {name} is a clean draft', st == 201, f'{st} {data[:300]!r}')
    return json.loads(data)['submission']['id']


# operator A's file, submitted; operator B's, a draft
ACC['own_submission'] = upload(sessions['operator'], ACC['upload_a'], 'a.csv')
st, _, data = request('POST', f"/api/v1/submissions/{ACC['own_submission']}/submit", {},
                      {'X-CSRF-Token': sessions['operator']['csrf']}, sessions['operator'])
check('operator A submits their draft', st == 200 and
      json.loads(data)['submission']['state'] == 'submitted', f'{st} {data[:200]!r}')
ACC['other_submission'] = upload(sessions['other_operator'], ACC['upload_b'], 'b.csv')


def path_for(oid, path, role):
    if '{id}' not in path:
        return path
    if oid == 'openCase':
        return path.replace('{id}', ACC['case'])
    return path.replace('{id}', str(ACC['own_submission']))


def body_for(oid):
    if oid == 'login':  # a right one: failed logins are counted against this client
        return {'user': ACC['analyst'][0], 'password': ACC['analyst'][1]}
    if oid == 'addUser':
        return {'user': 'probe-made', 'role': 'analyst', 'password': 'long enough password'}
    if oid in ('approveSubmission', 'returnSubmission'):
        return {'comment': 'probe: please look again'}
    if oid == 'openCase':
        return {'reason': 'access probe: checking the case list'}
    return {}


def eore_total(role):
    st, _, data = request('GET', '/api/v1/dashboard?period=2025', session=sessions[role])
    assert st == 200, (st, data[:200])
    for ds in json.loads(data)['report']['link']['item']:
        if ds['extension'].get('measure') == 'eore.participants' and ds['id'] == ['sex', 'age']:
            return ds['value'][-1]  # _T by _T, the last cell
    raise AssertionError('no eore.participants by sex and age on the dashboard')


rows = list(csv.DictReader(open(ACC['upload_a'])))
added = sum(int(r['participants']) for r in rows)
before = eore_total('analyst')

# ---- every operation as every role ----
for oid, (m, p, op) in sorted(ops.items()):
    if oid in ('logout',):
        continue
    for role in sorted(ALL):
        se = sessions.get(role)
        url = '/api/v1' + path_for(oid, p, role)
        q = {'dashboardChart': '?chart=nope', 'publicChart': '?chart=nope',
             'report': '?format=md', 'publicReport': '?format=md'}.get(oid, '')
        hdr = {'X-CSRF-Token': se['csrf']} if se else {}
        if oid == 'uploadSubmission':
            hdr['X-File-Name'] = 'probe.csv'
            st, _, data = request(m, url, b'not,a,kind\n1,2,3\n', hdr, se, raw=True)
        elif m == 'POST':
            st, _, data = request(m, url + q, body_for(oid), hdr, se)
        else:
            st, _, data = request(m, url + q, None, hdr, se)
        allowed = role in EXPECTED.get(oid, set())
        if allowed:
            check(f'{oid} as {role} is allowed', st not in (401, 403), f'got {st}: {data[:200]!r}')
        else:
            want = 401 if role == 'public' else 403
            check(f'{oid} as {role} is refused with {want}', st == want, f'got {st}')
        if role in ('public', 'analyst') and st == 200:
            check(f'{oid} as {role}: no personal field in the response',
                  not PERSONAL.search(data.decode('utf-8', 'replace')))

after = eore_total('analyst')
check('the approved file moved the dashboard by what it adds (participants)',
      after - before == added, f'{before} -> {after}, the file adds {added}')

# indicators: the dashboard's key indicator again; a count split by a group adds up; a share
# that cannot be split by sex says so (not 0)
st, _, data = request('GET', '/api/v1/indicators?period=2025&id=eore.share_women,eore.participants',
                      session=sessions['analyst'])
ind = {i['id']: i for i in json.loads(data)['indicators']} if st == 200 else {}
check('indicators answer for the ids asked', set(ind) == {'eore.share_women', 'eore.participants'},
      f'{st} {data[:200]!r}')
st, _, data = request('GET', '/api/v1/dashboard?period=2025', session=sessions['analyst'])
kp = {k['id']: k for k in json.loads(data)['report']['extension']['indicators']}
if ind:
    check("the indicator's value is the dashboard's",
          abs(ind['eore.share_women']['value'] - kp['eore.share_women']['value']) < 0.051,
          (ind['eore.share_women']['value'], kp['eore.share_women']['value']))
st, _, data = request('GET', '/api/v1/indicators?period=2025&id=eore.share_women,eore.participants'
                      '&by=sex', session=sessions['analyst'])
byg = {i['id']: i for i in json.loads(data)['indicators']} if st == 200 else {}
if byg:
    cells = {c['category']['sex']: c['value'] for c in byg['eore.participants']['cells']}
    check('participants by sex add up to the total (F + M + X + unknown)',
          abs(sum(v for v in cells.values() if v is not None) -
              byg['eore.participants']['value']) < 1e-6, cells)
    check('a share of women split by sex is "not split this way", not a number',
          byg['eore.share_women']['value'] is None and byg['eore.share_women']['status'] != 'ok',
          byg['eore.share_women'].get('status'))
st, _, data = request('GET', '/api/v1/indicators?by=sex,age,disability,area', session=sessions['analyst'])
check('more than 3 groups at once is a 400', st == 400, st)

# ---- the attacks ----
op_a, op_b = sessions['operator'], sessions['other_operator']
mine, theirs = ACC['own_submission'], ACC['other_submission']
st, _, _ = request('GET', f'/api/v1/submissions/{theirs}', session=op_a)
check("operator A cannot read B's submission (404, not even its existence)", st == 404, st)
st, _, _ = request('POST', f'/api/v1/submissions/{theirs}/submit', {}, {'X-CSRF-Token': op_a['csrf']}, op_a)
check("operator A cannot submit B's submission", st == 404, st)
st, _, data = request('GET', '/api/v1/submissions', session=op_a)
ids = {s['id'] for s in json.loads(data)['submissions']}
check("operator A's list holds only A's submissions", theirs not in ids and mine in ids, ids)
st, _, data = request('GET', '/api/v1/dashboard?org=' + ACC['other_org'], session=op_a)
dash_op = json.loads(data) if st == 200 else {}
check("an operator's dashboard stays confined to their organisation",
      dash_op.get('confined_to') == ACC['own_org'], data[:200])
# the centre's own tables (casualties, victim assistance) are not the operator's: their view
# goes through disclosure control, so no count of 1 to 4 people shows anywhere in it
check("an operator's figures are the published kind", dash_op.get('audience') == 'public',
      dash_op.get('audience'))
small = [(ds['label'], v) for ds in dash_op.get('report', {}).get('link', {}).get('item', [])
         if ds['extension'].get('people') for v in ds['value'] if v is not None and 0 < v < 5]
check('no small count of people in an operator\'s view', not small, small[:5])
for who, path in (('operator', '/api/v1/dashboard'), ('public', '/api/v1/public/dashboard')):
    st, _, _ = request('GET', path + '?period=2025-04-26..2025-04-26', session=sessions.get(who))
    check(f'published figures ({who}) for a range of days are refused (400)', st == 400, st)
st, _, _ = request('GET', '/api/v1/public/dashboard?period=2025-Q2')
check('published figures for a quarter are given', st == 200, st)
for guess in ('999999', '0', '-1', '1%20OR%201=1', '..%2F..%2Fetc'):
    st, _, _ = request('GET', f'/api/v1/submissions/{guess}', session=sessions['reviewer'])
    check(f'a guessed submission id {guess} is not found', st in (404, 400), st)
cw = sessions['caseworker']
st, _, _ = request('POST', f"/api/v1/cases/{ACC['other_case']}/open",
                   {'reason': 'probe: not my case'}, {'X-CSRF-Token': cw['csrf']}, cw)
check("a case worker cannot open a case not assigned to them", st == 404, st)
st, _, data = request('GET', '/api/v1/cases', session=cw)
cases = {c['survivor_id'] for c in json.loads(data)['cases']}
check('the case list holds the assigned cases only', cases == {ACC['case']}, cases)
check('the case list carries no personal field', not PERSONAL.search(data.decode()))
st, _, _ = request('POST', f"/api/v1/cases/{ACC['case']}/open", {'reason': ''},
                   {'X-CSRF-Token': cw['csrf']}, cw)
check('opening a record without a reason is refused', st == 400, st)
st, _, data = request('POST', f"/api/v1/cases/{ACC['case']}/open",
                      {'reason': 'probe: follow-up visit'}, {'X-CSRF-Token': cw['csrf']}, cw)
check('opening an assigned record with a reason works', st == 200, f'{st} {data[:200]!r}')
audit = subprocess.run([ACC['madi'], 'audit', 'list', '--db', ACC['db']], capture_output=True,
                       text=True).stdout
check("a case worker's listing of their cases is in the audit log",
      re.search(r'\bcas\b.*\blist\b.*\bcases\b', audit) is not None, audit[-400:])
check('the opening is in the audit log with who and why',
      ACC['case'] in audit and 'probe: follow-up visit' in audit and ACC['caseworker'][0] in audit,
      audit[-400:])
rv = sessions['reviewer']
st, _, data = request('POST', f'/api/v1/submissions/{mine}/approve', {'comment': 'x'}, {}, rv)
check('a state change without the CSRF token is refused', st == 403 and b'csrf' in data, st)
st, _, data = request('POST', f'/api/v1/submissions/{mine}/approve', {'comment': 'x'},
                      {'X-CSRF-Token': 'A' * 43}, rv)
check('a state change with a wrong CSRF token is refused', st == 403 and b'csrf' in data, st)
st, _, data = request('POST', '/api/v1/logout', {}, {'X-CSRF-Token': op_b['csrf']}, op_a)
check("another session's CSRF token does not do", st == 403, st)

# oversized bodies: refused from the Content-Length, before the body is read
c = http.client.HTTPConnection(U.hostname, U.port, timeout=10)
c.putrequest('POST', '/api/v1/submissions')
c.putheader('Cookie', 'madi_session=' + op_a['token'])
c.putheader('X-CSRF-Token', op_a['csrf'])
c.putheader('Content-Length', str(64 * 1024 * 1024))
c.endheaders()
r = c.getresponse()
check('an upload over the limit is refused with 413', r.status == 413, r.status)
c.close()
# an upload from someone who may not upload is refused from its headers: the body is never read
c = http.client.HTTPConnection(U.hostname, U.port, timeout=5)
c.putrequest('POST', '/api/v1/submissions')
c.putheader('Content-Length', str(30 * 1024 * 1024))
c.endheaders()
try:
    r = c.getresponse()
    st = r.status
except (socket.timeout, ConnectionError) as e:
    st = repr(e)
check('an upload without a session is refused before its body is sent (401)', st == 401, st)
c.close()
c = http.client.HTTPConnection(U.hostname, U.port, timeout=5)
c.putrequest('POST', '/api/v1/submissions')
c.putheader('Cookie', 'madi_session=' + sessions['analyst']['token'])
c.putheader('X-CSRF-Token', sessions['analyst']['csrf'])
c.putheader('Content-Length', str(30 * 1024 * 1024))
c.endheaders()
try:
    st = c.getresponse().status
except (socket.timeout, ConnectionError) as e:
    st = repr(e)
check("an upload from a role that may not upload is refused before its body is sent (403)",
      st == 403, st)
c.close()
# a chunked body (no Content-Length) past the cap gets its 413 (the server may close the
# connection at once: the answer is read from what arrived)
sk = socket.create_connection((U.hostname, U.port), timeout=10)
head = ('POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
        f"Cookie: madi_session={sessions['admin']['token']}\r\n"
        f"X-CSRF-Token: {sessions['admin']['csrf']}\r\nTransfer-Encoding: chunked\r\n\r\n")
got = b''
try:
    sk.sendall(head.encode())
    for _ in range(8):
        sk.sendall(b'%x\r\n%s\r\n' % (65536, b'x' * 65536))
    sk.sendall(b'0\r\n\r\n')
except (BrokenPipeError, ConnectionResetError):
    pass
try:
    while True:
        part = sk.recv(65536)
        if not part:
            break
        got += part
except (ConnectionResetError, socket.timeout):
    pass
sk.close()
check('a chunked JSON body past the cap is answered 413', got.startswith(b'HTTP/1.1 413'),
      got[:60])
# a file name that is not UTF-8 is made safe, and the submission is listed like any other
st, _, data = request('POST', '/api/v1/submissions', open(ACC['upload_a'], 'rb').read(),
                      {'X-CSRF-Token': op_a['csrf'], 'X-File-Name': 'bad\udcff.csv'.encode(
                          'utf-8', 'surrogateescape').decode('latin-1')}, op_a, raw=True)
odd = json.loads(data).get('submission', {}) if data.startswith(b'{') else {}
check('a file name that is not UTF-8 is stored made safe', odd.get('file') == 'bad_.csv',
      data[:200])
st, _, data = request('GET', '/api/v1/submissions', session=op_a)
check('and the submission is listed', odd.get('id') in {x['id'] for x in json.loads(data)['submissions']})
# an operator's row whose id is another organisation's record: refused without saying where
# that record is stored
import os
theirs_row = next(csv.DictReader(open(os.path.join(os.path.dirname(ACC['db']),
                                                    'op03_eore_2025.csv'))))
mine_rows = list(csv.DictReader(open(ACC['upload_a'])))
mine_rows[0]['session_id'] = theirs_row['session_id']
body = ','.join(mine_rows[0].keys()) + '\n' + ','.join(mine_rows[0].values()) + '\n'
st, _, data = request('POST', '/api/v1/submissions', body.encode(),
                      {'X-CSRF-Token': op_a['csrf'], 'X-File-Name': 'clash.csv'}, op_a, raw=True)
msgs = ' '.join(f['message'] for f in json.loads(data).get('error', {}).get('findings', []))
check("an id of another organisation's record is refused without its batch or line",
      st == 422 and 'already stored' in msgs and 'batch ' not in msgs and 'line ' not in msgs,
      (st, msgs[:200]))

# two long id lists that share their first 1,000 characters are two answers, not one
pre = ','.join(['x' * 40] * 25)
a = request('GET', f'/api/v1/indicators?period=2025&id={pre},eore.participants', session=sessions['analyst'])
b = request('GET', f'/api/v1/indicators?period=2025&id={pre},eore.sessions', session=sessions['analyst'])
ida = [i['id'] for i in json.loads(a[2]).get('indicators', [])] if a[0] == 200 else a[0]
idb = [i['id'] for i in json.loads(b[2]).get('indicators', [])] if b[0] == 200 else b[0]
check('long requests are not answered from one cut cache key', ida == ['eore.participants'] and
      idb == ['eore.sessions'], (ida, idb))
st, _, _ = request('POST', '/api/v1/users', {'user': 'x' * 400000, 'role': 'analyst'},
                   {'X-CSRF-Token': sessions['admin']['csrf']}, sessions['admin'])
check('a JSON body over the limit is refused with 413', st == 413, st)
st, _, _ = request('POST', '/api/v1/users', b'{"user": "a", "role":', {
    'X-CSRF-Token': sessions['admin']['csrf'], 'Content-Type': 'application/json'},
    sessions['admin'], raw=True)
check('a broken JSON body is a 400', st == 400, st)

# a slow client is cut off
s = socket.create_connection((U.hostname, U.port))
s.sendall(b'GET /api/v1/config HTTP/1.1\r\nHost: x\r\n')
s.settimeout(ACC['timeout'] * 3 + 5)
t0 = time.time()
try:
    closed = s.recv(100) == b''
except (ConnectionResetError, socket.timeout):
    closed = True
check('a client that never finishes its request is disconnected', closed and
      time.time() - t0 < ACC['timeout'] * 3 + 4, time.time() - t0)
s.close()

# headers on every kind of response
for path in ('/', '/api/v1/config', '/api/v1/me', '/nope'):
    st, h, _ = request('GET', path)
    csp = h.get('content-security-policy', '')
    check(f'{path}: CSP without inline script, no framing', "script-src 'self'" in csp and
          'unsafe-inline' not in csp.split('script-src')[1].split(';')[0] and
          "frame-ancestors 'none'" in csp, csp)
    check(f'{path}: nosniff and DENY', h.get('x-content-type-options') == 'nosniff' and
          h.get('x-frame-options') == 'DENY')
st, h, body = request('GET', '/app.js')
body0 = body
etag = h.get('etag', '')
check('the script is served with an ETag', st == 200 and len(body) > 1000 and etag, (st, etag))
st, h, body = request('GET', '/app.js', headers={'If-None-Match': etag})
check('and not sent again to a browser that has it (304, no body)', st == 304 and body == b'',
      (st, len(body)))
st, h, packed = request('GET', '/app.js', headers={'Accept-Encoding': 'gzip'})
check('compressed for a browser that takes gzip, the same bytes once unpacked',
      st == 200 and h.get('content-encoding') == 'gzip' and len(packed) < len(body0) and
      gzip.decompress(packed) == body0, (st, h.get('content-encoding'), len(packed)))
ck = sessions['reviewer']['cookie']
check('the session cookie is HttpOnly, SameSite=Strict, Path=/', 'HttpOnly' in ck and
      'SameSite=Strict' in ck and 'Path=/' in ck, ck)

# logging out ends the session
lo = login('analyst')
st, _, _ = request('POST', '/api/v1/logout', {}, {'X-CSRF-Token': lo['csrf']}, lo)
check('logout answers', st == 200, st)
st, _, _ = request('GET', '/api/v1/me', session=lo)
check('a logged-out session is refused', st == 401, st)

# lockout, then the per-client limit (failed logins only count)
user = ACC['lockme'][0]
for i in range(5):
    request('POST', '/api/v1/login', {'user': user, 'password': 'wrong password %d' % i})
st, _, data = request('POST', '/api/v1/login', {'user': user, 'password': ACC['lockme'][1]})
check('after 5 failures even the right password is refused (locked)', st == 401, st)
st2, _, data2 = request('POST', '/api/v1/login', {'user': 'no-such-user', 'password': 'x' * 12})
check('a locked account and an unknown name get the same answer',
      json.loads(data)['error'] == json.loads(data2)['error'], (data, data2))
codes = [request('POST', '/api/v1/login', {'user': user, 'password': 'wrong'})[0]
         for _ in range(22)]  # 11 after a new minute, should one start half way
check('too many failed logins from one client are slowed down (429)', 429 in codes, codes)


def login_from(addr, n):
    out = []
    for _ in range(n):
        c = http.client.HTTPConnection(U.hostname, U.port, timeout=10, source_address=(addr, 0))
        c.request('POST', '/api/v1/login', body=json.dumps({'user': 'no-one', 'password': 'x' * 12}),
                  headers={'Content-Type': 'application/json'})
        out.append(c.getresponse().status)
        c.close()
    return out


# two addresses whose hashes meet in the limiter's table do not reset each other's count
# (22 each, alternating: should a new minute start half way, one side still has 11 after it)
r1, r2 = [], []
for _ in range(22):
    r1 += login_from('127.0.0.5', 1)
    r2 += login_from('127.0.2.111', 1)
check('failed logins alternating between two addresses are each limited',
      429 in r1 and 429 in r2, (r1, r2))

print(f'server probe: {passed} passed, {failed} failed')
sys.exit(1 if failed else 0)
