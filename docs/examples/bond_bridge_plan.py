"""The nmcli commands that build br0 over bond0 (printed for review; nothing runs)."""

from pathlib import Path

import virtnetlib as vnl
from virtnetlib import nmcli

host = vnl.HostInterface.from_xml(Path(__file__).with_name("br0.xml"))
assert vnl.validate(host) == []  # bond modes 0, 3, 5, 6 or ARP monitoring would warn here

cli = nmcli.Nmcli()  # reads `nmcli --version` to pick its words
plan = cli.plan(nmcli.plan_from_host_interface(host))
for argv in plan.argvs(cli.path):
    print(" ".join(argv))
