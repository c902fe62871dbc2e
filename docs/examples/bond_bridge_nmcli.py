"""A bridge over an active-backup bond, planned for nmcli (reviewed, not run here)."""

import virtnetlib as vnl
from virtnetlib import nmcli

host = vnl.HostInterface.from_xml("""
<interface type='bridge' name='br0'>
  <bridge stp='off'>
    <interface type='bond' name='bond0'>
      <bond mode='active-backup'>
        <miimon freq='100'/>
        <interface type='ethernet' name='enp7s0'></interface>
        <interface type='ethernet' name='enp8s0'></interface>
      </bond>
    </interface>
  </bridge>
</interface>
""")
assert vnl.validate(host) == []  # modes 0, 3, 5, 6 or ARP monitoring would warn here

cli = nmcli.Nmcli()  # reads `nmcli --version` to pick its words
plan = cli.plan(nmcli.plan_from_host_interface(host))
for argv in plan.argvs(cli.path):
    print(" ".join(argv))
# cli.apply(plan) runs it; profiles that already match are left alone
