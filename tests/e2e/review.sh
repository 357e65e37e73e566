#!/bin/sh
# The review workflow through the CLI: an operator's file with an error is rejected at its cell
# and kept, not submitted; fixed, it is submitted and waits (batch list) without reaching the
# figures (summary); approved, its records count; a correction submitted with --replace is
# approved and the old batch is kept as replaced; a return needs a comment and says it back.
set -u
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
cd "$w" || exit 1
M=$MADI_BIN
export MADI_TODAY=20261123
unset MADI_KEY_FILE MADI_DB
fail=0; pass=0
check() { if eval "$2"; then pass=$((pass+1)); else echo "FAIL: $1"; fail=$((fail+1)); fi; }
q() { sqlite3 t.db "$1"; }

printf 'code,name\nOP-A,Alpha\nOP-B,Beta\n' > orgs.csv
printf 'code,name,level,parent\nXX,Country,0,\nXX01,North,1,XX\nXX0101,Hill,2,XX01\n' > areas.csv
H=session_id,date,organisation,area,participants,girls,boys,women,men
printf '%s\nS-1,2025-03-14,OP-A,XX0101,10,2,3,4,1\nS-2,2025-03-15,OP-A,XX0101,-5,1,1,2,1\n' "$H" > march.csv
$M init --db t.db >/dev/null
$M import --db t.db -q orgs.csv areas.csv; rc=$?
check "registers imported (rc $rc)" '[ $rc -eq 0 ]'

# An error: rejected at its line and column, kept as an invalid submission, nothing imported.
$M batch submit --db t.db --org OP-A march.csv >out.txt 2>err.txt; rc=$?
check "a file with an error is rejected (rc $rc)" '[ $rc -eq 1 ]'
check "the error is at its cell, as import says it" 'grep -q "^march.csv:3:5: error: participants: " err.txt'
check "it says the file was kept but not submitted" 'grep -q "kept as submission 1 but not submitted" out.txt'
check "the submission is invalid" '[ "$(q "select state, error_count from submission where id = 1")" = "invalid|1" ]'
$M batch show --db t.db 1 >show.txt; rc=$?
check "batch show lists the kept finding (rc $rc)" '[ $rc -eq 0 ] && grep -q "^submission 1: invalid$" show.txt && grep -q "^march.csv:3:5: error: participants:" show.txt'

# Fixed and submitted: it waits, and the figures do not have it yet.
printf '%s\nS-1,2025-03-14,OP-A,XX0101,10,2,3,4,1\nS-2,2025-03-15,OP-A,XX0101,5,1,1,2,1\n' "$H" > march.csv
$M batch submit --db t.db --org OP-A --by ana march.csv >out.txt 2>err.txt; rc=$?
check "the fixed file is submitted (rc $rc)" '[ $rc -eq 0 ] && grep -q "submitted for review as submission 2" out.txt'
$M batch list --db t.db >list.txt
check "batch list shows it submitted" 'grep -Eq "^ +2  submitted OP-A +eore +2 +0 " list.txt'
$M summary --db t.db >sum.txt
check "summary: no sessions yet" 'grep -q "^Risk education sessions (in person): 0 sessions, 0 participants" sum.txt'
$M batch preview --db t.db 2 >prev.txt; rc=$?
check "preview says what approving would add (rc $rc)" '[ $rc -eq 0 ] && grep -q "would add 2 eore rows (nothing was changed)" prev.txt'
check "preview changed nothing" '[ "$(q "select count(*) from eore_session")" = 0 ]'

# Approved: the records count, in a batch linked to the submission, imported by the uploader.
$M batch approve --db t.db 2 --by rev >out.txt; rc=$?
check "approved (rc $rc)" '[ $rc -eq 0 ] && grep -q "submission 2 approved: 2 eore rows imported as batch 3" out.txt'
$M summary --db t.db >sum.txt
check "summary now counts them" 'grep -q "^Risk education sessions (in person): 2 sessions, 15 participants" sum.txt'
check "batch 3 is the submission's, imported as ana" '[ "$(q "select submission_id, imported_by like \"ana%\" from batch where id = 3")" = "2|1" ]'
$M batch approve --db t.db 2 2>err.txt; rc=$?
check "approving twice is refused (rc $rc)" '[ $rc -eq 1 ] && grep -q "it was approved (batch 3)" err.txt'

# A correction replaces batch 3; the old batch is kept as replaced.
printf '%s\nS-1,2025-03-14,OP-A,XX0101,10,2,3,4,1\nS-2,2025-03-15,OP-A,XX0101,6,1,2,2,1\nS-3,2025-03-16,OP-A,XX0101,8,2,2,2,2\n' "$H" > march-v2.csv
$M batch submit --db t.db --org OP-B --replace 3 march-v2.csv 2>err.txt; rc=$?
check "another operator cannot replace it (rc $rc)" '[ $rc -eq 2 ] && grep -q "only your own organisation" err.txt'
$M batch submit --db t.db --org OP-A --replace 3 march-v2.csv >out.txt; rc=$?
check "the correction is submitted (rc $rc)" '[ $rc -eq 0 ] && grep -q "as submission 3" out.txt'
$M batch approve --db t.db 3 --comment "thanks" >out.txt; rc=$?
check "the correction is approved (rc $rc)" '[ $rc -eq 0 ] && grep -q "imported as batch 4; batch 3 is kept, as replaced" out.txt'
check "batch 3 replaced by 4" '[ "$(q "select status, replaced_by from batch where id = 3")" = "replaced|4" ]'
$M batch list --db t.db >list.txt
check "batch list says so" 'grep -q "(replaced by 4)" list.txt'
$M summary --db t.db >sum.txt
check "summary counts the corrected records" 'grep -q "^Risk education sessions (in person): 3 sessions, 24 participants" sum.txt'

# Returned with a comment; a comment is required.
printf '%s\nS-9,2025-04-01,OP-B,XX0101,4,1,1,1,1\n' "$H" > april.csv
$M batch submit --db t.db --org OP-B april.csv >out.txt; rc=$?
check "OP-B's file submitted (rc $rc)" '[ $rc -eq 0 ] && grep -q "as submission 4" out.txt'
$M batch return --db t.db 4 2>err.txt; rc=$?
check "return without a comment is a usage error (rc $rc)" '[ $rc -eq 2 ]'
$M batch return --db t.db 4 --comment "   " 2>err.txt; rc=$?
check "a blank comment is refused (rc $rc)" '[ $rc -eq 2 ] && grep -q "comment" err.txt'
$M batch return --db t.db 4 --comment "S-9 is in May, not April" >out.txt; rc=$?
check "returned (rc $rc)" '[ $rc -eq 0 ] && grep -q "submission 4 returned to OP-B with your comment" out.txt'
$M batch show --db t.db 4 >show.txt
check "show gives the comment" 'grep -q "^comment  *S-9 is in May, not April$" show.txt'
$M batch approve --db t.db 4 2>err.txt; rc=$?
check "a returned one is not approved (rc $rc)" '[ $rc -eq 1 ] && grep -q "returned to its organisation" err.txt'
check "nothing of it was imported" '[ "$(q "select count(*) from eore_session where session_id = \"S-9\"")" = 0 ]'
$M batch list --db t.db >list.txt
check "nothing waits any more" '! grep -q "submissions waiting" list.txt'
check "every step is in the audit log" '[ "$(q "select group_concat(action, \" \") from audit_log where object like \"submission %\"")" = "upload upload submit approve upload submit approve upload submit return" ]'
$M audit verify --db t.db >/dev/null; rc=$?
check "the audit log verifies (rc $rc)" '[ $rc -eq 0 ]'

# A database whose audit log is keyed with a passphrase key: changes need the passphrase.
$M init --db p.db >/dev/null
echo "a long passphrase here" | $M keys init --db p.db --passphrase-stdin >/dev/null 2>&1
$M import --db p.db -q orgs.csv areas.csv
echo "correct horse battery" | $M user add ana --role operator --org OP-A --db p.db 2>err.txt; rc=$?
check "an account change without the key is refused (rc $rc)" '[ $rc -eq 3 ] && grep -q "passphrase-stdin" err.txt'
check "and nothing was added" '[ "$(sqlite3 p.db "select count(*) from app_user")" = 0 ]'
printf 'a long passphrase here\ncorrect horse battery\n' | $M user add ana --role operator --org OP-A --db p.db --passphrase-stdin >out.txt; rc=$?
check "with the passphrase first, then the password (rc $rc)" '[ $rc -eq 0 ] && grep -q "^added ana, operator of OP-A$" out.txt'
$M batch submit --db p.db --org OP-A march.csv 2>err.txt; rc=$?
check "a submission without the key is refused (rc $rc)" '[ $rc -eq 3 ] && [ "$(sqlite3 p.db "select count(*) from submission")" = 0 ]'
echo "a long passphrase here" | $M batch submit --db p.db --org OP-A --passphrase-stdin march.csv >out.txt; rc=$?
check "with it, submitted (rc $rc)" '[ $rc -eq 0 ] && [ "$(sqlite3 p.db "select content_sealed from submission")" = 1 ]'
echo "a long passphrase here" | $M batch approve --db p.db 1 --passphrase-stdin >out.txt; rc=$?
check "and approved (rc $rc)" '[ $rc -eq 0 ] && [ "$(sqlite3 p.db "select count(*) from eore_session")" = 2 ]'
echo "a long passphrase here" | $M audit verify --db p.db --passphrase-stdin >out.txt; rc=$?
check "the keyed audit log verifies (rc $rc)" '[ $rc -eq 0 ] && grep -q "verified with the centre" out.txt'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
