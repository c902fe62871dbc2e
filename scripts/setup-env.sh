#!/usr/bin/env bash
# Shared set-up for scripts/demo.sh and scripts/test.sh: Debian packages
# (installed when run as root, otherwise listed) and the project's venv.
# Usage: source scripts/setup-env.sh; setup_env PKG... ; then use $VENV.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VIRTNETLIB_VENV:-$ROOT/.venv}"
MISSING_DEBS=()

_deb_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

setup_env() {
    local extras="$1"; shift
    local want=("$@") pkg
    MISSING_DEBS=()
    if command -v dpkg-query >/dev/null 2>&1; then
        for pkg in "${want[@]}"; do
            _deb_installed "$pkg" || MISSING_DEBS+=("$pkg")
        done
    fi
    if ((${#MISSING_DEBS[@]})); then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "virtnetlib: installing Debian packages: ${MISSING_DEBS[*]}" >&2
            apt-get update -q >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                "${MISSING_DEBS[@]}" >/dev/null
            MISSING_DEBS=()
        else
            echo "virtnetlib: missing Debian packages (run as root to install them):" \
                 "${MISSING_DEBS[*]}; tests that need them will be skipped" >&2
        fi
    fi
    local py="${PYTHON:-python3}"
    if [ ! -x "$VENV/bin/python" ]; then
        "$py" -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
    local target="$ROOT"
    [ -n "$extras" ] && target="$ROOT[$extras]"
    if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$target"; then
        # libvirt-python needs libvirt-dev to build; without it, go on without the extra
        extras="${extras//,libvirt/}"
        extras="${extras//libvirt,/}"
        echo "virtnetlib: installing without libvirt-python" >&2
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT[$extras]"
    fi
}

# ensure_system_user USER GROUP: create a system account (root only; otherwise
# the tests that need it say so and are skipped)
ensure_system_user() {
    local user="$1" group="$2"
    id "$user" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "virtnetlib: user $user is missing; run as root to create it" >&2
        return 0
    fi
    getent group "$group" >/dev/null || groupadd --system "$group"
    useradd --system --no-create-home --shell /usr/sbin/nologin --gid "$group" "$user"
}
