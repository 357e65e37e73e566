#!/bin/sh
# Every command in the table runs --help with exit 0, prints a usage line, and has a man page;
# `madi --help` lists it and documents the exit codes.
set -u
fail=0; pass=0
top=$("$MADI_BIN" --help) || { echo "madi --help failed"; exit 1; }
echo "$top" | grep -q "1  data rejected" || { echo "madi --help does not document exit codes"; fail=$((fail+1)); }
cmds=$(echo "$top" | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}')
[ -n "$cmds" ] || { echo "no commands listed"; exit 1; }
for c in $cmds; do
    out=$("$MADI_BIN" "$c" --help 2>&1); rc=$?
    if [ $rc -ne 0 ]; then echo "madi $c --help: exit $rc"; fail=$((fail+1)); continue; fi
    echo "$out" | grep -q "^usage: madi $c" || { echo "madi $c --help: no usage line"; fail=$((fail+1)); continue; }
    [ -f "$MADI_SRC/docs/man/madi-$c.1.md" ] || { echo "no man page docs/man/madi-$c.1.md"; fail=$((fail+1)); continue; }
    pass=$((pass+1))
done
[ -f "$MADI_SRC/docs/man/madi.1.md" ] || { echo "no docs/man/madi.1.md"; fail=$((fail+1)); }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
