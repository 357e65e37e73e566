#!/bin/sh
# Runs the shared acceptance floors for the spine (../shared/acceptance, beside the checkout)
# against this build. They are a floor, not the whole of the issue. Skipped (exit 77) when the
# shared folder is not there, e.g. in a clone on its own.
set -u
run="$MADI_SRC/../shared/acceptance/run"
[ -x "$run" ] || { echo "no $run: skipped"; exit 77; }
cd "$MADI_SRC" && "$run" spine-bad-input spine-help spine-import-roundtrip
