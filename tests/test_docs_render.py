"""The docs as a reader sees them: every page built, its visible text checked
against its source, and a screenshot of each taken in a real browser.

A browser drops what looks like an unknown HTML tag: ``<ip>`` written into
Markdown outside code reads as "E211 an needs an address". Every inline code
span and every ``<tag>`` in a page's text must be visible on the built page.
Screenshots (Chromium, headless) go to ``$VIRTNETLIB_ARTIFACTS`` (default:
``build/docs-screenshots``) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import html

from tests.conftest import need_module, unavailable

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "examples" not in p.parts)
ARTIFACTS = Path(os.environ.get("VIRTNETLIB_ARTIFACTS", ROOT / "build" / "docs-screenshots"))

FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CODE = re.compile(r"(`+)(.+?)\1", re.S)
TAG = re.compile(r"<[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_module("mkdocs", "the docs build needs the 'docs' extra")
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def _built(site: Path, page: Path) -> Path:
    rel = page.relative_to(DOCS).with_suffix("")
    if rel.name == "index":
        return site / rel.parent / "index.html"
    return site / rel / "index.html"


def _visible(path: Path) -> str:
    tree = html.fromstring(path.read_bytes())
    (article,) = tree.xpath("//article")
    return " ".join(article.text_content().split())


def _expected(source: str) -> list[str]:
    """What a reader must see: inline code, and tag-like text outside code."""
    text = FENCE.sub("", source)
    text = re.sub(r"^--8<--.*$", "", text, flags=re.M)
    wanted = [" ".join(m.group(2).split()) for m in CODE.finditer(text)]
    prose = CODE.sub(" ", text)
    wanted += TAG.findall(prose)
    return [w.replace("\\|", "|") for w in wanted if w.strip()]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_page_shows_what_its_source_says(site: Path, page: Path) -> None:
    built = _built(site, page)
    assert built.is_file(), built
    seen = _visible(built)
    missing = [w for w in _expected(page.read_text()) if w not in seen]
    assert not missing, f"{page.relative_to(ROOT)}: not visible on the page: {missing[:10]}"


def test_the_check_finds_a_swallowed_tag(tmp_path: Path) -> None:
    """Guard against a check that cannot fail: raw <ip> disappears from the page."""
    page = tmp_path / "index.html"
    page.write_text(
        "<html><body><article><p>E211 an <ip> needs an address</p></article></body></html>"
    )
    assert "<ip>" in _expected("E211 an <ip> needs an address")
    assert "<ip>" not in _visible(page)


def test_screenshots_of_every_page(site: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        unavailable("chromium is not installed (Debian: chromium); the docs need a real browser")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for page in PAGES:
        built = _built(site, page)
        shot = ARTIFACTS / (str(page.relative_to(DOCS).with_suffix("")).replace("/", "-") + ".png")
        shot.unlink(missing_ok=True)
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--window-size=1280,1600",
                f"--screenshot={shot}",
                built.as_uri(),
            ],
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert shot.is_file(), f"no screenshot of {page.name}"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 10_000, f"{shot} looks blank"
