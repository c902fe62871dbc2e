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

# ensure_libvirt_accounts: the users and groups libvirtd needs, made as
# Debian's packages make them (root only; otherwise the tests that need them
# say so). libvirt-daemon-system's postinst: groups libvirt and kvm, user
# libvirt-qemu (uid 64055 when free) in group kvm, and its own group
# libvirt-qemu (gid 64055 when free) with libvirt-qemu a member — libvirtd's
# QEMU driver refuses to start without that group. dnsmasq runs as
# libvirt-dnsmasq, a system user with a group of its own.
ensure_libvirt_accounts() {
    if [ "$(id -u)" != 0 ]; then
        id libvirt-qemu >/dev/null 2>&1 && getent group libvirt-qemu >/dev/null \
            && id libvirt-dnsmasq >/dev/null 2>&1 && return 0
        echo "virtnetlib: libvirt's accounts are missing; run as root to create them" >&2
        return 0
    fi
    getent group libvirt >/dev/null || groupadd --system libvirt
    getent group kvm >/dev/null || groupadd --system kvm
    if ! getent passwd libvirt-qemu >/dev/null; then
        local uid=()
        getent passwd 64055 >/dev/null || uid=(--uid 64055)
        useradd --system "${uid[@]}" --gid kvm --home-dir /var/lib/libvirt --no-create-home \
            --shell /usr/sbin/nologin --comment "Libvirt Qemu" libvirt-qemu
    fi
    if ! getent group libvirt-qemu >/dev/null; then
        local gid=()
        getent group 64055 >/dev/null || gid=(--gid 64055)
        groupadd --system "${gid[@]}" libvirt-qemu
    fi
    # a member of its own group, as Debian's `adduser libvirt-qemu libvirt-qemu`
    id -nG libvirt-qemu | tr ' ' '\n' | grep -qx libvirt-qemu \
        || usermod --append --groups libvirt-qemu libvirt-qemu
    getent group libvirt-dnsmasq >/dev/null || groupadd --system libvirt-dnsmasq
    getent passwd libvirt-dnsmasq >/dev/null \
        || useradd --system --gid libvirt-dnsmasq --home-dir /var/lib/libvirt/dnsmasq \
            --no-create-home --shell /usr/sbin/nologin --comment "Libvirt Dnsmasq" libvirt-dnsmasq
}
