"""The benchmark suite runs (its targets are measured in full runs, not in tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_quick_mode_runs() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for row in (
        "round trip per network",
        "validate() per network",
        "CLI validate",
        "import virtnetlib",
        "memory per parsed network",
        "DHCP hosts",
        "parse, valid:",
        "validate, every 10th host bad:",
        "fmt, valid:",
    ):
        assert row in proc.stdout
    assert "| target | met | measured |" in proc.stdout
