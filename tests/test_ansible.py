"""The Ansible collection (ansible/), run for real: built and installed with
ansible-galaxy, its docs read with ansible-doc, ``ansible-test sanity``, and
playbooks against libvirt's test driver and the real libvirtd the suite starts.

Each libvirt test-driver "host" opens its file anew for every task (each
module runs in a process of its own), so what a task defines there is gone
for the next: those hosts show planning (check mode, diff, validation);
the real libvirtd shows a change that stays.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import virtnetlib as vnl
from tests.ansible_env import COLLECTION, ansible_doc, iter_hosts, playbook, saved, tool
from tests.conftest import need_module, unavailable

MODULES = ["network", "network_info", "interface", "sriov", "host_bridge", "validate"]


@pytest.mark.parametrize("name", MODULES)
def test_every_module_documents_itself(collections: Path, tmp_path: Path, name: str) -> None:
    proc = ansible_doc(collections, tmp_path, f"virtnetlib.libvirt.{name}")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "OPTIONS" in text
    assert "EXAMPLES" in text
    assert "RETURN VALUES" in text


def test_the_validate_filter_documents_itself(collections: Path, tmp_path: Path) -> None:
    proc = ansible_doc(collections, tmp_path, "-t filter virtnetlib.libvirt.validate")
    assert proc.returncode == 0, proc.stderr
    assert "_input" in proc.stdout


def test_ansible_test_sanity(tmp_path: Path) -> None:
    """``ansible-test sanity`` on the collection, as a collection's CI runs it."""
    need_module("ansible_test", "ansible-core's ansible-test (the 'ansible' extra)")
    root = tmp_path / "ansible_collections" / "virtnetlib" / "libvirt"
    shutil.copytree(COLLECTION, root, ignore=shutil.ignore_patterns("__pycache__"))
    home = tmp_path / "home"
    cache = home / ".ansible" / "test" / "cache"
    cache.mkdir(parents=True)
    # ansible-test fetches pip's bootstrap script from a host off the package
    # registries; it takes one from its cache first (scripts/get_pip_shim.py)
    shim = Path(__file__).resolve().parents[1] / "scripts" / "get_pip_shim.py"
    for version in ("24_2", "25_0", "25_1", "25_2"):
        shutil.copy(shim, cache / f"get_pip_{version}.py")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    proc = subprocess.run(
        [tool("ansible-test"), "sanity", "--python", python, "--local", "--color", "no"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        env={**os.environ, "HOME": str(home)},
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    assert "Running sanity test 'validate-modules'" in proc.stdout or "validate-modules" in (
        proc.stdout + proc.stderr
    )


NET_XML = """<network>
  <name>vnl-t-fleet</name>
  <forward mode='nat'/>
  <bridge name='{bridge}'/>
  <ip address='198.51.100.{gw}' prefix='28'>
    <dhcp>
      <range start='198.51.100.{first}' end='198.51.100.{last}'/>
{hosts}    </dhcp>
  </ip>
</network>
"""


def test_validate_runs_on_the_controller(collections: Path, tmp_path: Path) -> None:
    good = NET_XML.format(bridge="vnlfleet0", gw=1, first=2, last=14, hosts="")
    bad = good.replace("mode='nat'", "mode='nta'")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "bad.xml").write_text(bad)
    play = f"""
- hosts: localhost
  gather_facts: false
  vars:
    good: {json.dumps(good)}
    bad: {json.dumps(bad)}
  tasks:
    - virtnetlib.libvirt.validate:
        xml: "{{{{ good }}}}"
      register: ok
{saved("ok", "ok")}
    - virtnetlib.libvirt.validate:
        src: {tmp_path / "files" / "bad.xml"}
      register: refused
      ignore_errors: true
{saved("refused", "refused")}
    - ansible.builtin.set_fact:
        found: "{{{{ bad | virtnetlib.libvirt.validate }}}}"
{saved("found", "filter")}
    - ansible.builtin.set_fact:
        lone: "{{{{ bad | virtnetlib.libvirt.validate(disable='W306') }}}}"
      register: lone
      ignore_errors: true
{saved("lone", "lone")}
    - virtnetlib.libvirt.validate:
        kind: network
        definition:
          name: lab
          forward: {{mode: route}}
          ips: [{{address: 198.51.100.1, prefix: 24}}]
      register: advice
{saved("advice", "advice")}
"""
    run = playbook(collections, tmp_path, play, "localhost ansible_connection=local\n")
    assert run.recap["localhost"]["failed"] == 0, run
    assert run.results["localhost-ok"]["problems"] == []
    refused = run.results["localhost-refused"]
    assert refused["failed"]
    assert "E101" in refused["msg"]
    assert "/network/forward/@mode" in refused["msg"]
    assert [p["code"] for p in run.results["localhost-filter"]] == ["E101"]
    # a lone code is refused as the library refuses it, not read letter by letter
    assert run.results["localhost-lone"]["failed"]
    assert "expected a list of names" in run.results["localhost-lone"]["msg"]
    advice = run.results["localhost-advice"]
    assert not advice.get("failed")
    assert [p["code"] for p in advice["problems"]] == ["W306"]
    assert "W306" in run.output  # shown as a warning


# ------------------------------------------------------------ a fleet of three


def _test_driver_file(path: Path, networks: list[str]) -> str:
    """A libvirt test-driver node file holding ``networks`` (running)."""
    path.write_text("<node>\n" + "".join(networks) + "</node>\n")
    return f"test://{path}"


FLEET_PLAY = """
- hosts: hypervisors
  gather_facts: false
  tasks:
    - virtnetlib.libvirt.network:
        uri: "{{{{ uri }}}}"
        xml: "{{{{ lookup('template', 'fleet.xml.j2') }}}}"
        autostart: false
        update: "{{{{ update | default('live') }}}}"
        state: "{{{{ state | default('started') }}}}"
      register: result
{save}
"""

TEMPLATE = """<network>
  <name>vnl-t-fleet</name>
  <forward mode='nat'/>
  <bridge name='{{ bridge }}'/>
  <ip address='198.51.100.{{ gw }}' prefix='28'>
    <dhcp>
      <range start='198.51.100.{{ gw + 1 }}' end='198.51.100.{{ gw + 13 }}'/>
{% for h in fixed | default([]) %}
      <host mac='{{ h.mac }}' name='{{ h.name }}' ip='{{ h.ip }}'/>
{% endfor %}    </dhcp>
  </ip>
</network>
"""


@pytest.fixture
def fleet(tmp_path: Path, libvirtd: str) -> Any:
    """Three hypervisors: two test-driver files and the real libvirtd."""
    libvirt = need_module("libvirt", "libvirt-python")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "fleet.xml.j2").write_text(TEMPLATE)
    # host a already has the network as the play defines it; host b an older version
    a = _test_driver_file(
        tmp_path / "a.xml", [NET_XML.format(bridge="vnlfa0", gw=17, first=18, last=30, hosts="")]
    )
    b = _test_driver_file(
        tmp_path / "b.xml", [NET_XML.format(bridge="vnlfb0", gw=33, first=34, last=40, hosts="")]
    )
    inventory = "\n".join(
        iter_hosts(
            {
                "a": {"uri": a, "bridge": "vnlfa0", "gw": "17"},
                "b": {"uri": b, "bridge": "vnlfb0", "gw": "33"},
                "real": {"uri": libvirtd, "bridge": "vnlfr0", "gw": "49"},
            }
        )
    )
    conn = libvirt.open(libvirtd)
    yield inventory, conn
    for name in ("vnl-t-fleet",):
        try:
            net = conn.networkLookupByName(name)
        except libvirt.libvirtError:
            continue
        if net.isActive():
            net.destroy()
        net.undefine()
    for dom in conn.listAllDomains(0):
        if dom.name().startswith("vnl-t-"):
            if dom.isActive():
                dom.destroy()
            dom.undefine()
    conn.close()


def _guest(conn: Any, network: str) -> tuple[Any, str]:
    """A running QEMU guest with a NIC on ``network``; its tap device."""
    if shutil.which("qemu-system-x86_64") is None:
        unavailable("qemu-system-x86_64 is not installed (Debian: qemu-system-x86)")
    kvm = Path("/dev/kvm").exists() and os.access("/dev/kvm", os.R_OK | os.W_OK)
    dom = conn.defineXML(
        f"<domain type='{'kvm' if kvm else 'qemu'}'><name>vnl-t-fleet-vm</name>"
        "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        f"<interface type='network'><mac address='52:54:00:f1:ee:01'/><source network='{network}'/>"
        "<model type='virtio'/><rom enabled='no'/></interface>"
        "<video><model type='none'/></video><memballoon model='none'/></devices></domain>"
    )
    dom.create()
    (nic,) = vnl.domain_interfaces(dom.XMLDesc(0))
    assert nic.target is not None
    return dom, nic.target.dev


@pytest.mark.libvirtd
def test_a_fleet_network_planned_applied_and_changed_live(
    collections: Path, tmp_path: Path, fleet: Any
) -> None:
    inventory, conn = fleet
    play = FLEET_PLAY.format(save=saved())

    first = playbook(collections, tmp_path, play, inventory)
    assert first.returncode == 0, first
    assert first.recap["a"]["changed"] == 0  # it already had this network
    assert first.recap["b"]["changed"] == 1
    assert first.recap["real"]["changed"] == 1
    assert [s["kind"] for s in first.results["real-result"]["steps"]] == ["define", "start"]
    # b's smaller DHCP range is changed live, without a restart
    b_steps = first.results["b-result"]["steps"]
    assert {s["kind"] for s in b_steps} == {"update"}
    assert not first.results["b-result"]["disruptive"]
    net = conn.networkLookupByName("vnl-t-fleet")
    assert net.isActive()
    assert net.bridgeName() == "vnlfr0"

    again = playbook(collections, tmp_path, play, inventory)
    assert again.recap["real"]["changed"] == 0, again
    assert again.recap["a"]["changed"] == 0
    assert again.results["real-result"]["steps"] == []

    dom, tap = _guest(conn, "vnl-t-fleet")
    brif = Path(f"/sys/class/net/vnlfr0/brif/{tap}")
    assert brif.exists()
    ifindex = Path(f"/sys/class/net/{tap}/ifindex").read_text()
    vm = {"mac": "52:54:00:f1:ee:01", "name": "vm", "ip": "198.51.100.60"}
    fixed = json.dumps({"fixed": [vm]})

    checked = playbook(collections, tmp_path, play, inventory, "--check", "--diff", "-e", fixed)
    assert checked.returncode == 0, checked
    assert checked.recap["real"]["changed"] == 1
    (step,) = checked.results["real-result"]["steps"]
    assert (step["kind"], step["section"]) == ("update", "ip-dhcp-host")
    assert step["command"] == "add"
    assert "+      <host mac='52:54:00:f1:ee:01' name='vm' ip='198.51.100.60'/>" in checked.output
    assert "198.51.100.60" not in net.XMLDesc(0)  # check mode changed nothing

    applied = playbook(collections, tmp_path, play, inventory, "-e", fixed)
    assert applied.returncode == 0, applied
    assert applied.recap["real"]["changed"] == 1
    assert applied.results["real-result"]["action"] == "updated"
    assert not applied.results["real-result"]["disruptive"]
    live = net.XMLDesc(0)
    assert "198.51.100.60" in live, (applied.results["real-result"], live)
    # the guest kept its link: the same tap device, still on the bridge, link up
    assert brif.exists()
    assert Path(f"/sys/class/net/{tap}/ifindex").read_text() == ifindex
    (nic,) = vnl.domain_interfaces(dom.XMLDesc(0))
    assert nic.link is None or nic.link.state == "up"

    # the guest's NIC by MAC, live only: its link goes down in place
    nic_play = """
- hosts: real
  gather_facts: false
  tasks:
    - virtnetlib.libvirt.interface:
        uri: "{{ uri }}"
        domain: vnl-t-fleet-vm
        config: false
        definition:
          type: network
          mac: {address: "52:54:00:f1:ee:01"}
          source: {network: vnl-t-fleet}
          link: {state: down}
      register: result
""" + saved()
    down = playbook(collections, tmp_path, nic_play, inventory)
    assert down.returncode == 0, down
    assert [s["kind"] for s in down.results["real-result"]["steps"]] == ["update"]
    (done,) = down.results["real-result"]["done"]
    assert "52:54:00:f1:ee:01" in done
    (nic,) = vnl.domain_interfaces(dom.XMLDesc(0))
    assert nic.link == vnl.Link(state="down")
    assert Path(f"/sys/class/net/{tap}/ifindex").read_text() == ifindex  # not replugged
    assert playbook(collections, tmp_path, nic_play, inventory).recap["real"]["changed"] == 0

    # a change libvirt cannot make live: only redefined, the running network left alone
    rebridged = playbook(
        collections,
        tmp_path,
        play,
        inventory,
        "-l",
        "real",
        "-e",
        fixed,
        "-e",
        "bridge=vnlfr1",
        "-e",
        "update=redefine-only",
    )
    assert rebridged.returncode == 0, rebridged
    result = rebridged.results["real-result"]
    assert result["pending_restart"]
    assert [s["kind"] for s in result["steps"]] == ["redefine"]
    assert net.bridgeName() == "vnlfr0"  # still running as it was

    dom.destroy()
    gone = playbook(collections, tmp_path, play, inventory, "-l", "real", "-e", "state=absent")
    assert gone.returncode == 0, gone
    assert gone.recap["real"]["changed"] == 1
    assert "vnl-t-fleet" not in [n.name() for n in conn.listAllNetworks(0)]
    for _ in range(20):
        if not Path("/sys/class/net/vnlfr0").exists():
            break
        time.sleep(0.1)
    assert not Path("/sys/class/net/vnlfr0").exists()


def test_invalid_definitions_fail_before_reaching_libvirt(
    collections: Path, tmp_path: Path
) -> None:
    """Errors fail the task with their codes; the test driver is never asked."""
    node = _test_driver_file(tmp_path / "node.xml", [])
    play = """
- hosts: hypervisors
  gather_facts: false
  tasks:
    - virtnetlib.libvirt.network:
        uri: "{{ uri }}"
        definition:
          name: vnl-t-bad
          forward: {mode: route}
          ips:
            - address: 198.51.100.1
              prefix: 24
              dhcp: {ranges: [{start: 198.51.100.200, end: 198.51.100.100}]}
      register: result
      ignore_errors: true
""" + saved()
    run = playbook(collections, tmp_path, play, "\n".join(iter_hosts({"h": {"uri": node}})) + "\n")
    result = run.results["h-result"]
    assert result["failed"]
    assert "the definition is invalid" in result["msg"]
    codes = [p["code"] for p in result["problems"]]
    assert any(c.startswith("E2") for c in codes), codes
    assert "/network/ip/dhcp/range" in result["msg"]


def test_network_info_and_interface_on_the_test_driver(collections: Path, tmp_path: Path) -> None:
    dom = (
        "<domain type='test'><name>vm</name><memory>1024</memory><os><type>hvm</type></os>"
        "<devices><interface type='network'><mac address='52:54:00:f1:ee:02'/>"
        "<source network='vnl-t-info'/></interface></devices></domain>"
    )
    node = _test_driver_file(
        tmp_path / "node.xml",
        [
            NET_XML.format(bridge="vnlinfo0", gw=65, first=66, last=70, hosts="").replace(
                "vnl-t-fleet", "vnl-t-info"
            ),
            dom,
        ],
    )
    play = (
        """
- hosts: hypervisors
  gather_facts: false
  tasks:
    - virtnetlib.libvirt.network_info:
        uri: "{{ uri }}"
      register: info
"""
        + saved("info", "info")
        + """
    - virtnetlib.libvirt.interface:
        uri: "{{ uri }}"
        domain: vm
        live: false
        definition:
          type: network
          mac: {address: "52:54:00:f1:ee:02"}
          source: {network: vnl-t-info}
          link: {state: down}
      check_mode: true
      diff: true
      register: nic
"""
        + saved("nic", "nic")
        + """
    - virtnetlib.libvirt.interface:
        uri: "{{ uri }}"
        domain: vm
        live: false
        definition:
          type: network
          mac: {address: "52:54:00:f1:ee:02"}
          source: {network: vnl-t-info}
      check_mode: true
      register: same
"""
        + saved("same", "same")
        + """
    - virtnetlib.libvirt.interface:
        uri: "{{ uri }}"
        domain: vm
        mac: "aa-bb-cc-dd-ee-ff"
        state: absent
      register: badmac
      ignore_errors: true
"""
        + saved("badmac", "badmac")
        + """
    - virtnetlib.libvirt.network:
        uri: "{{ uri }}"
        state: absent
        definition: {name: vnl-t-info, forward: {mode: route}}
      check_mode: true
      register: gone
"""
        + saved("gone", "gone")
    )
    run = playbook(collections, tmp_path, play, "\n".join(iter_hosts({"h": {"uri": node}})) + "\n")
    assert run.returncode == 0, run
    nets = {n["name"]: n for n in run.results["h-info"]["networks"]}
    info = nets["vnl-t-info"]
    assert (info["active"], info["mode"], info["bridge"]) == (True, "nat", "vnlinfo0")
    assert info["definition"]["ips"][0]["address"] == "198.51.100.65"
    assert vnl.Network.from_dict(info["definition"]).name == "vnl-t-info"
    nic = run.results["h-nic"]
    assert nic["changed"]
    (step,) = nic["steps"]
    assert step["mac"] == "52:54:00:f1:ee:02"
    assert "state='down'" in step["interface"]
    # the diff shows the NIC as the update sends it, what the definition left out kept
    assert nic["diff"]["after"].strip() == step["interface"].strip()
    assert "<source network='vnl-t-info'" in nic["diff"]["after"]
    # fields the definition leaves out are no change: the same NIC is nothing to do
    assert not run.results["h-same"]["changed"]
    assert run.results["h-same"]["steps"] == []
    assert run.results["h-badmac"]["failed"]
    assert "expected a MAC address" in run.results["h-badmac"]["msg"]
    # removing needs the name only: a definition that would not validate still goes
    gone = run.results["h-gone"]
    assert gone["changed"]
    assert gone["steps"][0]["kind"] == "undefine"


@pytest.mark.libvirtd
def test_a_transient_network_is_defined_and_a_stopping_one_not_restarted(
    collections: Path, tmp_path: Path, fleet: Any
) -> None:
    """state: started on a running transient network defines it (present means
    defined); state: stopped with update: restart changes the definition and
    stops the network, without restarting it first."""
    inventory, conn = fleet
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "fleet.xml.j2").write_text(TEMPLATE)
    xml = TEMPLATE.replace("{{ bridge }}", "vnlfr0").replace(
        "{% for h in fixed | default([]) %}\n", ""
    )
    xml = xml.replace("      <host mac='{{ h.mac }}' name='{{ h.name }}' ip='{{ h.ip }}'/>\n", "")
    xml = (
        xml.replace("{% endfor %}", "").replace("{{ gw + 1 }}", "50").replace("{{ gw + 13 }}", "62")
    )
    xml = xml.replace("{{ gw }}", "49")
    net = conn.networkCreateXML(xml)  # running, transient
    assert not net.isPersistent()
    play = FLEET_PLAY.format(save=saved())
    run = playbook(collections, tmp_path, play, inventory, "-l", "real")
    assert run.returncode == 0, run
    assert "define" in [s["kind"] for s in run.results["real-result"]["steps"]]
    net = conn.networkLookupByName("vnl-t-fleet")
    assert net.isPersistent()
    assert net.isActive()
    again = playbook(collections, tmp_path, play, inventory, "-l", "real")
    assert again.recap["real"]["changed"] == 0, again

    stopped = playbook(
        collections,
        tmp_path,
        play,
        inventory,
        "-l",
        "real",
        "-e",
        "state=stopped",
        "-e",
        "update=restart",
        "-e",
        "bridge=vnlfr1",
    )
    assert stopped.returncode == 0, stopped
    kinds = [s["kind"] for s in stopped.results["real-result"]["steps"]]
    assert "restart" not in kinds
    assert kinds[-1] == "stop"
    net = conn.networkLookupByName("vnl-t-fleet")
    assert not net.isActive()
    assert "vnlfr1" in net.XMLDesc(libvirt_inactive())


def libvirt_inactive() -> int:
    return int(need_module("libvirt", "libvirt-python").VIR_NETWORK_XML_INACTIVE)
