#!/bin/sh
# Installs the Debian packages madi's build, tests and demo need. Idempotent: when everything is
# present it only runs dpkg-query and exits. The single list of packages lives here. (bench/run
# also uses node and npm when present, for its DuckDB contender; without them it skips it.)
set -eu

PKGS="build-essential cmake pkg-config clang-format sqlite3 libsqlite3-dev libjansson-dev \
libsodium-dev libcmocka-dev libzip-dev libexpat1-dev libxlsxwriter-dev libmicrohttpd-dev zlib1g-dev nettle-dev python3 \
python3-numpy python3-scipy python3-pandas time chromium nodejs"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# npm: Debian's package only where no npm came with nodejs (NodeSource's nodejs carries its own).
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "deps: need root (or sudo) to install:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $missing; then
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing
fi
