"""What the pre-commit hook runs: virtnetlib validate on the changed XML files."""

import tempfile
from pathlib import Path

from virtnetlib.cli import main

folder = Path(tempfile.mkdtemp())
(folder / "net.xml").write_text(
    "<network>\n  <name>lab</name>\n  <forward mode='natt'/>\n</network>\n"
)
(folder / "pom.xml").write_text("<project/>\n")   # not libvirt XML: skipped
status = main(["validate", "--skip-unknown", str(folder / "net.xml"), str(folder / "pom.xml")])
print("exit status", status)                       # 1: problems found
assert status == 1
