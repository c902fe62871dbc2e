"""What the pre-commit hook runs: virtnetlib validate on the changed XML files."""

import os
import tempfile
from pathlib import Path

from virtnetlib.cli import main

os.chdir(tempfile.mkdtemp())  # a scratch repository
Path("net.xml").write_text("<network>\n  <name>lab</name>\n  <forward mode='natt'/>\n</network>\n")
Path("pom.xml").write_text("<project/>\n")  # not libvirt XML: skipped with --skip-unknown
status = main(["validate", "--skip-unknown", "net.xml", "pom.xml"])
print("exit status", status)  # 1: problems found, the commit is stopped
assert status == 1
