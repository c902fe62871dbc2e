"""Shared fixtures: the libvirt corpus and schemas in ../shared, libvirt's test driver."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from lxml import etree

pytest_plugins = ["tests.libvirtd", "tests.networkmanager", "tests.ansible_env"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VIRTNETLIB_SHARED", ROOT.parent / "shared"))
CORPUS = Path(os.environ.get("VIRTNETLIB_CORPUS", SHARED / "corpus")) / "libvirt-9.0.0"
SCHEMAS = Path(os.environ.get("VIRTNETLIB_LIBVIRT_SCHEMAS", SHARED / "schemas" / "libvirt-11.3.0"))


def manifest() -> list[dict[str, Any]]:
    """The corpus manifest, or an empty list when the corpus is absent."""
    path = CORPUS / "manifest.json"
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = json.loads(path.read_text())
    return entries


def corpus_entries(kind: str, where: Callable[[dict[str, Any]], bool] | None = None) -> list[Any]:
    """pytest params for the manifest entries of ``kind`` (that pass ``where``).

    A single skipped param stands in when the corpus is absent.
    """
    entries = [e for e in manifest() if e["kind"] == kind and (where is None or where(e))]
    if not entries:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))]
    return [pytest.param(e, id=e["file"]) for e in entries]


def corpus_files(folder: str) -> list[Any]:
    files = sorted((CORPUS / folder).glob("*.xml")) if CORPUS.exists() else []
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))]
    return [pytest.param(f, id=f.name) for f in files]


_RNG_CACHE: dict[str, etree.RelaxNG] = {}


def libvirt_rng(name: str) -> etree.RelaxNG:
    """libvirt 11.3's RelaxNG grammar ``name``, compiled once.

    ``network.rng`` is a whole grammar; ``domaincommon.rng#interface`` starts
    at one of its defines.
    """
    if name not in _RNG_CACHE:
        file, _, start = name.partition("#")
        path = SCHEMAS / file
        if not path.exists():
            pytest.skip(f"libvirt schemas not found at {SCHEMAS}")
        if start:
            # a grammar whose start is one define of the file, e.g. the interface device
            wrapper = (
                '<grammar xmlns="http://relaxng.org/ns/structure/1.0">'
                f'<start><ref name="{start}"/></start>'
                f'<include href="{path.as_uri()}"/></grammar>'
            )
            _RNG_CACHE[name] = etree.RelaxNG(etree.fromstring(wrapper, base_url=path.as_uri()))
        else:
            _RNG_CACHE[name] = etree.RelaxNG(etree.parse(str(path)))
    return _RNG_CACHE[name]


#: Whether every component must be here: in CI, and wherever scripts/test.sh
#: ran as root (it installed them all), a missing one fails its tests loudly.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes") or bool(
    os.environ.get("VIRTNETLIB_REQUIRE_ALL")
)


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose component cannot run here, saying why; where every
    component must be present (:data:`IN_CI`) that is a failure instead.

    Works at module level too (a module that cannot import what it tests).
    """
    if IN_CI:
        pytest.fail(f"every test must run here, but: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Where every component must be present, the shared corpus and schemas are too."""
    if not IN_CI:
        return
    missing = [str(p) for p in (CORPUS / "manifest.json", SCHEMAS) if not p.exists()]
    if missing:
        pytest.exit(f"every test must run here, but these are missing: {missing}", returncode=3)


def need_module(name: str, why: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        unavailable(f"{name} is not importable ({why})")


@pytest.fixture
def test_conn(tmp_path: Path) -> Iterator[Any]:
    """A fresh libvirt embedded test driver connection with no objects (no daemon)."""
    libvirt = need_module(
        "libvirt", "libvirt-python builds only where Debian's libvirt-dev is installed"
    )
    libvirt.registerErrorHandler(lambda *_: None, None)
    node = tmp_path / "node.xml"
    node.write_text("<node/>\n")
    conn = libvirt.open(f"test://{node}")
    try:
        yield conn
    finally:
        conn.close()
