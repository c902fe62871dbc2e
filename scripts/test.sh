#!/usr/bin/env bash
# Run the whole test suite on a fresh Debian machine: installs the Debian
# packages the tests need when run as root (otherwise lists the missing
# ones; only the tests needing them are skipped), creates .venv, installs
# the project with its dev and libvirt extras, then runs pytest.
set -euo pipefail
source "$(dirname "$0")/setup-env.sh"
# python3-venv: the venv; gcc, python3-dev, pkg-config, libvirt-dev: to build
# libvirt-python (libvirt0 brings the embedded test driver); libvirt-clients:
# virsh, whose attach-interface output the hostdev helper is checked against;
# passt and iproute2: the real passt listening in a test network namespace;
# git: the pre-commit hooks are tried on a temporary repository;
# libvirt-daemon, libvirt-daemon-driver-qemu, dnsmasq-base, iptables: the real
# libvirtd the integration tests start; busybox (udhcpc) and curl (TFTP): the
# PXE client; qemu-system-x86: a guest for live interface hot-plug;
# network-manager and dbus: a real NetworkManager in a test network namespace;
# strace: proof that hostile documents make virtnetlib open nothing;
# libxml2-utils: xmllint, libvirt's libxml2, for what is well-formed;
# chromium: the docs pages looked at in a real browser (screenshots)
setup_env "dev,docs,libvirt,ansible" python3-venv python3-dev gcc pkg-config libvirt-dev \
    libvirt-clients passt iproute2 git \
    libvirt-daemon libvirt-daemon-driver-qemu dnsmasq-base iptables busybox curl \
    qemu-system-x86 network-manager dbus strace libxml2-utils chromium
# the accounts libvirtd runs guests and dnsmasq as (see setup-env.sh)
ensure_libvirt_accounts
cd "$ROOT"
# Run as root, this script installed every component the tests use: a test
# that finds one missing fails instead of skipping (tests/conftest.py).
if [ "$(id -u)" = 0 ] && [ -z "${VIRTNETLIB_ALLOW_SKIPS:-}" ]; then
    export VIRTNETLIB_REQUIRE_ALL=1
fi
exec "$VENV/bin/python" -m pytest "$@"
