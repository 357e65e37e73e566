#!/bin/sh
# Survivors through the CLI: no plaintext name in the database or its WAL; a wrong key, or none,
# fails cleanly with the database byte-identical (sqlite3 .dump); rotation keeps the data
# readable and the old key then fails; a file sealed by an operator imports; a passphrase key
# works; the audit log detects an altered, removed or reordered entry; erasure leaves a tombstone.
set -u
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
cd "$w" || exit 1
M=$MADI_BIN
export MADI_TODAY=20261123
unset MADI_KEY_FILE MADI_DB
fail=0; pass=0
check() { if eval "$2"; then pass=$((pass+1)); else echo "FAIL: $1"; fail=$((fail+1)); fi; }
dump() { sqlite3 "$1" .dump; }

printf 'code,name\nOP-A,Alpha\nOP-B,Beta\n' > orgs.csv
cat > s.csv <<'CSV'
survivor_id,name,organisation,victim_type,sex,age,birth_year,date_of_injury,phone,notes
S-1,Wxqzuly Fenderbrook,OP-A,direct,F,30,1994,2024-05-01,+000 555 0142,lives near the school
S-2,Zoe PRATT,OP-A,direct,F,34,1990,2024-06-01,,
CSV
cat > b.csv <<'CSV'
survivor_id,name,organisation,victim_type,sex,birth_year,date_of_injury
S-9,"pratt,  zoé",OP-B,direct,F,1990,2024-06-02
CSV
$M init --db t.db >/dev/null
$M import --db t.db -q orgs.csv
$M import --db t.db -q --kind survivor s.csv 2>err.txt; rc=$?
check "import without a key refused (rc $rc)" '[ $rc -eq 3 ]'
check "the refusal says how to create a key" 'grep -q "madi keys init --db FILE" err.txt'
$M keys init --db t.db >/dev/null; rc=$?
check "keys init (rc $rc)" '[ $rc -eq 0 ] && [ -f t.db.key ]'
check "key file mode 0600" '[ "$(stat -c %a t.db.key)" = 600 ]'
$M keys init --db t.db >/dev/null 2>&1; rc=$?
check "a second keys init is refused (rc $rc)" '[ $rc -eq 1 ]'
$M import --db t.db -q --kind survivor s.csv; rc=$?
check "survivors imported (rc $rc)" '[ $rc -eq 0 ]'
$M import --db t.db -q --kind survivor b.csv
for f in t.db t.db-wal; do
    [ -f "$f" ] || continue
    check "no plaintext name in $f" '! grep -a -q -i -e Fenderbrook -e Wxqzuly -e "555 0142" -e "near the school" "$f"'
done

# A wrong key: import and show fail, nothing changes.
$M init --db other.db >/dev/null; $M keys init --db other.db >/dev/null
dump t.db > before.sql
printf 'survivor_id,name,organisation,victim_type\nS-3,New Person,OP-A,direct\n' > s3.csv
MADI_KEY_FILE=other.db.key $M import --db t.db -q --kind survivor s3.csv 2>err.txt; rc=$?
check "import with a wrong key fails (rc $rc)" '[ $rc -eq 3 ] && grep -q "not this database" err.txt'
MADI_KEY_FILE=other.db.key $M survivor show S-1 --reason check --db t.db >out.txt 2>err.txt; rc=$?
check "show with a wrong key fails (rc $rc), shows nothing" '[ $rc -eq 3 ] && [ ! -s out.txt ]'
dump t.db > after.sql
check "database byte-identical after the wrong key" 'cmp -s before.sql after.sql'
$M survivor show S-1 --db t.db >/dev/null 2>&1; rc=$?
check "show without a reason is a usage error (rc $rc)" '[ $rc -eq 2 ]'

# Show, list, link review.
$M survivor show S-1 --reason "home visit" --by ana --db t.db > show.txt; rc=$?
check "show decrypts (rc $rc)" '[ $rc -eq 0 ] && grep -q "^name  *Wxqzuly Fenderbrook$" show.txt'
$M survivor list --db t.db > list.txt
check "list has no names" '! grep -q -i -e fenderbrook -e pratt list.txt && grep -q "^S-1 " list.txt'
$M link review --db t.db > link.txt
check "link review pairs S-2 (OP-A) and S-9 (OP-B)" 'grep -q "^S-2 .*OP-A .*S-9 .*OP-B .*same person key" link.txt'
$M audit list --db t.db > audit.txt
check "the read is in the audit log with its reason" 'grep -q "ana.*show.*survivor S-1.*reason: home visit" audit.txt'

# An export leaves the personal columns out, and is audited.
$M export survivor --db t.db > export.csv; rc=$?
check "export (rc $rc) without names" '[ $rc -eq 0 ] && ! grep -q -i -e fenderbrook -e pratt export.csv && grep -q "^S-1," export.csv'
check "export audited" '$M audit list --db t.db | grep -q "export *survivor records"'

# Rotation.
cp t.db.key old.key
$M keys rotate --db t.db >/dev/null; rc=$?
check "keys rotate (rc $rc)" '[ $rc -eq 0 ] && ! cmp -s old.key t.db.key'
$M survivor show S-1 --reason after-rotation --db t.db | grep -q "Wxqzuly Fenderbrook"; rc=$?
check "readable with the new key" '[ $rc -eq 0 ]'
MADI_KEY_FILE=old.key $M survivor show S-1 --reason old --db t.db >/dev/null 2>&1; rc=$?
check "the old key fails after rotation (rc $rc)" '[ $rc -eq 3 ]'
# Issue #7: the old key is kept as FILE.old, mode 0600.
check "old key kept as t.db.key.old (0600)" 'cmp -s old.key t.db.key.old && [ "$(stat -c %a t.db.key.old)" = 600 ]'
# Issue #7: a FILE.new left by an interrupted rotation: rotate refuses and says what to do, and a
# key error of any command mentions it.
cp t.db.key t.db.key.new
$M keys rotate --db t.db >/dev/null 2>err.txt; rc=$?
check "rotate with a leftover FILE.new refuses (rc $rc)" '[ $rc -ne 0 ] && grep -q "interrupted" err.txt && cmp -s t.db.key t.db.key.new'
# ... as when the data was re-encrypted but the new key never replaced the old file.
cp t.db.key good.key; cp old.key t.db.key
$M survivor show S-1 --reason check --db t.db >/dev/null 2>err.txt; rc=$?
check "a key error mentions FILE.new (rc $rc)" '[ $rc -eq 3 ] && grep -q "t.db.key.new is left from an interrupted" err.txt'
mv good.key t.db.key; rm -f t.db.key.new

# An operator seals the file; the centre imports it.
$M keys public --db t.db > centre.pub
printf 'survivor_id,name,organisation,victim_type,phone\nS-4,Qorvenna Tallowmere,OP-B,indirect,+000 555 0177\n' > op.csv
$M keys seal --public centre.pub --kind survivor op.csv -o op.sealed.csv >/dev/null; rc=$?
check "keys seal (rc $rc)" '[ $rc -eq 0 ]'
check "the sealed file holds no name" '! grep -q -e Qorvenna -e 0177 op.sealed.csv && grep -q "S-4,sealed:" op.sealed.csv'
$M import --db t.db -q --kind survivor op.sealed.csv; rc=$?
check "sealed file imported (rc $rc)" '[ $rc -eq 0 ]'
$M survivor show S-4 --reason check --db t.db | grep -q "Qorvenna Tallowmere"; rc=$?
check "sealed name readable after import" '[ $rc -eq 0 ]'

# Erasure.
$M erase S-1 --reason "request 12" --db t.db >/dev/null; rc=$?
check "erase (rc $rc)" '[ $rc -eq 0 ]'
check "tombstone kept, name gone" '[ "$(sqlite3 t.db "select count(*) from survivor where survivor_id = '"'"'S-1'"'"' and name is null and erased_at is not null")" = 1 ]'
$M audit verify --db t.db >/dev/null; rc=$?
check "audit verifies (rc $rc)" '[ $rc -eq 0 ]'

# Tampering: alter, remove, reorder.
for t in "UPDATE audit_log SET reason = 'routine' WHERE id = 2" \
         "DELETE FROM audit_log WHERE id = 2" \
         "UPDATE audit_log SET id = -1 WHERE id = 2; UPDATE audit_log SET id = 2 WHERE id = 3; UPDATE audit_log SET id = 3 WHERE id = -1" \
         "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)"; do
    cp t.db x.db; rm -f x.db-wal x.db-shm x.db.key; cp t.db.key x.db.key
    sqlite3 x.db "$t"
    $M audit verify --db x.db >/dev/null 2>err.txt; rc=$?
    check "tampering detected: $t (rc $rc)" '[ $rc -eq 1 ] && grep -q "BROKEN at entry" err.txt'
done
# Issue #7: the tail cut and the head rewritten to match, as anyone could before the chain was
# keyed: the head's keyed check gives it away.
cp t.db x.db; rm -f x.db-wal x.db-shm x.db.key; cp t.db.key x.db.key
sqlite3 x.db "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log); UPDATE meta SET value = (SELECT max(id) || ' ' || hash FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)) || substr(value, instr(substr(value, instr(value, ' ') + 1), ' ') + instr(value, ' ')) WHERE key = 'audit_head'"
$M audit verify --db x.db >/dev/null 2>err.txt; rc=$?
check "tail truncation with the head rewritten detected (rc $rc)" '[ $rc -eq 1 ] && grep -q "keyed check" err.txt'
# The same cut with an unkeyed head: the keyed entries do not pass as unkeyed ones.
cp t.db x.db; rm -f x.db-wal x.db-shm x.db.key; cp t.db.key x.db.key
sqlite3 x.db "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log); UPDATE meta SET value = (SELECT max(id) || ' ' || hash FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)) WHERE key = 'audit_head'"
$M audit verify --db x.db >/dev/null 2>err.txt; rc=$?
check "tail truncation with an unkeyed head detected (rc $rc)" '[ $rc -eq 1 ] && grep -q "BROKEN at entry 1" err.txt'
# Without the key: only the structure, said, and exit 1.
rm -f x.db x.db-wal x.db-shm x.db.key; cp t.db x.db
$M audit verify --db x.db >/dev/null 2>err.txt; rc=$?
check "verify without the key says so (rc $rc)" '[ $rc -eq 1 ] && grep -q "only the unkeyed structure" err.txt'

# Issue #7: a passphrase over 1024 bytes is refused, not cut short.
$M init --db long.db >/dev/null
python3 -c "print('w' * 1100)" | $M keys init --db long.db --passphrase-stdin >/dev/null 2>err.txt; rc=$?
check "a passphrase over 1024 bytes is refused (rc $rc)" '[ $rc -eq 2 ] && grep -q "longer than 1024" err.txt && [ "$(sqlite3 long.db "select count(*) from meta where key = '"'"'privacy_check'"'"'")" = 0 ]'

# A passphrase key.
$M init --db p.db >/dev/null
$M import --db p.db -q orgs.csv
echo "a long passphrase of several words" | $M keys init --db p.db --passphrase-stdin >/dev/null; rc=$?
check "passphrase key (rc $rc), no key file" '[ $rc -eq 0 ] && [ ! -f p.db.key ]'
echo "a long passphrase of several words" | $M import --db p.db -q --kind survivor --passphrase-stdin s.csv; rc=$?
check "import with the passphrase (rc $rc)" '[ $rc -eq 0 ]'
echo "a long passphrase of several words" | $M survivor show S-1 --reason check --passphrase-stdin --db p.db | grep -q Fenderbrook; rc=$?
check "show with the passphrase" '[ $rc -eq 0 ]'
pk=$(sqlite3 p.db "select group_concat(person_key) from survivor")
echo "a long passphrase of several words" | $M keys rotate --db p.db --passphrase-stdin >/dev/null; rc=$?
check "passphrase key rotated (rc $rc)" '[ $rc -eq 0 ]'
echo "a long passphrase of several words" | $M survivor show S-1 --reason check --passphrase-stdin --db p.db | grep -q Fenderbrook; rc=$?
check "readable after rotation, same passphrase" '[ $rc -eq 0 ]'
check "person keys unchanged by rotation" '[ "$(sqlite3 p.db "select group_concat(person_key) from survivor")" = "$pk" ]'
dump p.db > before.sql
echo "the wrong passphrase entirely" | $M survivor show S-1 --reason check --passphrase-stdin --db p.db >/dev/null 2>&1; rc=$?
dump p.db > after.sql
check "a wrong passphrase fails (rc $rc), nothing changes" '[ $rc -eq 3 ] && cmp -s before.sql after.sql'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
