"""Safe parsing (virtnetlib._core.xml): nothing loaded, every encoding judged, nothing recovered.

The syscall-level checks run the real entry points in a child process under
strace and read what it opened: reading the options is not proof.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import virtnetlib
from tests.conftest import ROOT, unavailable
from virtnetlib import Network, ParseError
from virtnetlib._core.xml import parse_document

DOCTYPE_MESSAGE = (
    "line 1: DOCTYPE declarations are not allowed (entities and DTDs are refused to keep "
    "parsing safe)"
)


def _targets(tmp_path: Path) -> dict[str, str]:
    """Places a hostile document may name: a file, a FIFO, a folder, nothing, the network."""
    tmp_path.mkdir()
    secret = tmp_path / "secret"
    secret.write_text("TOPSECRET\n")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    return {
        "file": str(secret),
        "fifo": str(fifo),
        "folder": str(folder),
        "missing": str(tmp_path / "missing"),
        "stdin": "/dev/stdin",
        "http": "http://198.51.100.7/network.dtd",
    }


def _hostile_documents(targets: dict[str, str]) -> dict[str, str]:
    docs = {}
    for kind, where in targets.items():
        docs[f"system-{kind}"] = (
            f'<!DOCTYPE network SYSTEM "{where}"><network><name>n</name></network>'
        )
        docs[f"public-{kind}"] = (
            f'<!DOCTYPE network PUBLIC "-//x//y" "{where}"><network><name>n</name></network>'
        )
        docs[f"entity-{kind}"] = (
            f'<!DOCTYPE network [<!ENTITY e SYSTEM "{where}">]><network><name>&e;</name></network>'
        )
        docs[f"parameter-{kind}"] = (
            f'<!DOCTYPE network [<!ENTITY % p SYSTEM "{where}"> %p;]>'
            "<network><name>n</name></network>"
        )
    docs["internal"] = '<!DOCTYPE network [<!ENTITY e "x">]><network><name>&e;</name></network>'
    docs["bare"] = "<!DOCTYPE network><network><name>n</name></network>"
    return docs


# The child: every entry point that reads a document, on every document.
_CHILD = textwrap.dedent(
    """
    import json, sys, pathlib, contextlib, io
    import virtnetlib
    from virtnetlib import cli
    docs = json.loads(sys.argv[1])
    folder = pathlib.Path(sys.argv[2])
    out = {}
    for name, text in docs.items():
        seen = []
        for call in (virtnetlib.parse, virtnetlib.Network.from_xml,
                     lambda t: virtnetlib.Network.from_xml(t.encode(), strict=False)):
            try:
                call(text)
                seen.append("accepted")
            except virtnetlib.ParseError as exc:
                seen.append(str(exc))
        seen.append([str(p) for p in virtnetlib.validate(text)])
        path = folder / (name + ".xml")
        path.write_text(text)
        for argv in (["validate", str(path)], ["show", str(path)], ["fmt", str(path)]):
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = cli.main(argv)
            seen.append([code, err.getvalue().replace(str(path), "FILE")])
        out[name] = seen
    # a str is XML, never a file name: no lookup for the hint either
    for name in ("/etc/passwd", "/etc/passwe"):
        try:
            virtnetlib.parse(name)
        except virtnetlib.ParseError as exc:
            out.setdefault("__names__", []).append(str(exc).replace(name, "NAME"))
    print(json.dumps(out))
    """
)


def _strace() -> str:
    path = shutil.which("strace")
    if path is None:
        unavailable("strace is not installed (Debian: strace; scripts/test.sh installs it)")
    probe = subprocess.run(
        [path, "-f", "-o", os.devnull, "true"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        unavailable(f"strace cannot trace here: {probe.stderr.strip()}")
    assert path is not None
    return path


def test_no_document_makes_virtnetlib_open_or_connect_anything(tmp_path: Path) -> None:
    """DOCTYPEs naming a file, a FIFO, a folder, stdin or a URL: nothing is opened,
    nothing hangs, no socket is made, and every one gets the same message."""
    strace = _strace()
    targets = _targets(tmp_path / "t")
    docs: dict[str, Any] = _hostile_documents(targets)
    work = tmp_path / "work"
    work.mkdir()
    log = tmp_path / "strace.log"
    run = subprocess.run(
        [
            strace,
            "-f",
            "-qq",
            "-e",
            "trace=%file,%network,%desc",
            "-o",
            str(log),
            sys.executable,
            "-c",
            _CHILD,
            json.dumps(docs),
            str(work),
        ],
        capture_output=True,
        text=True,
        timeout=120,  # a FIFO opened for reading would block here
        stdin=subprocess.DEVNULL,
        check=False,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    calls = log.read_text().splitlines()
    for kind, where in [*targets.items(), ("name", "/etc/passw")]:
        named = [c for c in calls if where in c]
        assert not named, f"{kind}: {named[:3]}"
    assert not [c for c in calls if " socket(" in c or " connect(" in c]
    results = json.loads(run.stdout)
    names = results.pop("__names__")
    assert len(set(names)) == 1, names  # an existing and a missing file: the same message
    first = results.pop("bare")
    # one message for every DOCTYPE, whatever it names and however it is read
    assert first[0] == DOCTYPE_MESSAGE
    assert first[3] == [f"<string>:1: /: error E100: {DOCTYPE_MESSAGE.removeprefix('line 1: ')}"]
    for name, seen in results.items():
        assert seen == first, name


@pytest.mark.parametrize(
    "data",
    [
        # UTF-7 spells "<!DOCTYPE" without those bytes; libvirt would read it as UTF-8
        b"<?xml version='1.0' encoding='UTF-7'?>\n+ADw-!DOCTYPE network +AFs-+ADw-!ENTITY e"
        b" 'evil'+AD4-+AF0-+AD4-\n<network><name>&e;</name></network>",
        b"<?xml version='1.0' encoding='UTF-7'?><network><name>a+AOk-</name></network>",
        b'<?xml version="1.0" encoding="ISO-8859-1"?><network><name>a</name></network>',
        b"<?xml version='1.0' encoding = 'ebcdic-cp-us'?><network><name>a</name></network>",
    ],
)
def test_a_declared_encoding_other_than_utf8_is_refused(data: bytes) -> None:
    with pytest.raises(ParseError, match=r"^line 1: the XML declaration names encoding '[^']+';"):
        parse_document(data)
    # the same in a str: the declaration is part of the document
    with pytest.raises(ParseError, match="names encoding"):
        Network.from_xml(data.decode("latin-1"))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_wide_encodings_are_refused_with_a_clear_error(encoding: str) -> None:
    text = "<network><name>a</name></network>"
    data = text.encode(encoding)
    if not encoding.endswith(("le", "be")):
        with pytest.raises(ParseError, match=r"UTF-(16|32) \(it starts with a .* byte order mark"):
            parse_document(data)
    else:  # no byte order mark: the NUL bytes give it away
        with pytest.raises(ParseError, match=r"^line 1: document is UTF-16 or UTF-32 \(a NUL byte"):
            parse_document(data)


def test_utf8_documents_read_whatever_their_declaration_spells() -> None:
    for data in (
        "\ufeff<network><name>bom</name></network>".encode(),
        "<?xml version='1.0' encoding='US-ASCII'?><network><name>café</name></network>".encode(),
        b"<?xml version='1.0' encoding='utf8'?><network><name>u</name></network>",
        b"<?xml version='1.0'?><network><name>!<!-- ! --></name></network>",
    ):
        assert Network.from_xml(data).name in ("bom", "café", "u", "!")


def test_encodings_are_judged_as_libvirt_judges_them(tmp_path: Path) -> None:
    """libvirt reads every document as UTF-8 (virsh sends a file's bytes as they
    are): what it refuses, virtnetlib refuses; what virtnetlib reads, libvirt
    reads to the same name."""
    virsh = shutil.which("virsh")
    if virsh is None:
        unavailable("virsh is not installed (Debian: libvirt-clients)")
    assert virsh is not None
    path = tmp_path / "n.xml"

    def libvirt_name(data: bytes) -> str | None:
        path.write_bytes(data)
        run = subprocess.run(
            [virsh, "-q", "-c", "test:///default", f"net-define {path}; net-list --all --name"],
            capture_output=True,
            check=False,
        )
        # a fresh test driver holds "default"; a definition it took is the other name
        names = [n for n in run.stdout.decode().split() if n != "default"]
        assert len(names) <= 1, run.stdout
        return names[0] if names else None

    refused = [
        "<network><name>ab</name></network>".encode("utf-16"),
        "<network><name>ab</name></network>".encode("utf-32"),
        b"<?xml version='1.0' encoding='ISO-8859-1'?>\n<network><name>caf\xe9</name></network>",
        b"<network><name>caf\xe9</name></network>",
    ]
    for data in refused:
        with pytest.raises(ParseError):
            parse_document(data)
        assert libvirt_name(data) is None, data
    accepted = [
        "\ufeff<network><name>bom</name></network>".encode(),
        "<?xml version='1.0' encoding='US-ASCII'?>\n<network><name>café</name></network>".encode(),
    ]
    for data in accepted:
        assert libvirt_name(data) == Network.from_xml(data).name


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # after a namespace error libxml2 stops reporting: recovering it read the first root
        (
            b"<network><x:foo/><name>a</name></network><network><name>second</name></network>",
            "junk after document element",
        ),
        (b"<network><x:foo/><name>a</name></network>tail", "junk after document element"),
        (b"<network><x:foo/><name>a</name><bad></network>", "mismatch"),
        (b"<network><x:foo/><name>a</name>", "Premature end of data|no element found"),
        (b"<network><x:foo/><name a='1' a='2'>a</name></network>", "redefined|duplicate attribute"),
    ],
)
def test_nothing_malformed_is_read_after_a_tolerated_namespace_error(
    data: bytes, message: str
) -> None:
    with pytest.raises(ParseError, match=f"malformed XML: .*({message})"):
        parse_document(data)
    with pytest.raises(ParseError, match="malformed XML"):
        virtnetlib.parse(data, strict=False)


def test_xmllint_agrees_on_the_second_root(tmp_path: Path) -> None:
    """xmllint (libvirt's libxml2) refuses what virtnetlib refuses, reads what it reads."""
    xmllint = shutil.which("xmllint")
    if xmllint is None:
        unavailable("xmllint is not installed (Debian: libxml2-utils; scripts/test.sh has it)")
    assert xmllint is not None
    cases = {
        b"<network><x:foo/><name>a</name></network><network/>": False,
        b"<network><x:foo/><name>a</name></network>": True,
        b"<!-- a --><network xmlns:z='2001:db8::1'><name>a</name></network><!-- b -->": True,
    }
    for data, well_formed in cases.items():
        path = tmp_path / "d.xml"
        path.write_bytes(data)
        lint = subprocess.run([xmllint, "--noout", str(path)], capture_output=True, check=False)
        assert (lint.returncode == 0) is well_formed, lint.stderr
        try:
            parse_document(data)
            read = True
        except ParseError:
            read = False
        assert read is well_formed, data


def test_what_surrounds_the_root_is_kept_after_a_namespace_error() -> None:
    doc = "<!-- a --><network><x:foo/><name>a</name></network><!-- c --><?pi x?>\n"
    out = virtnetlib.parse(doc).to_xml()
    assert out.startswith("<!-- a -->\n<network>")
    assert out.endswith("</network>\n<!-- c -->\n<?pi x?>\n")


def test_a_lone_surrogate_in_str_input_is_a_parse_error_with_its_line() -> None:
    with pytest.raises(ParseError, match="lone surrogate") as info:
        virtnetlib.parse("<network>\n  <name>a\ud800b</name>\n</network>")
    assert info.value.line == 2
    with pytest.raises(ParseError, match="lone surrogate") as info:
        Network.from_xml("<?xml version='1.0'?>\n<network>\n<name>\udfff</name></network>")
    assert info.value.line == 3
    assert [p.code for p in virtnetlib.validate("<network><name>\ud83d</name></network>")] == [
        "E100"
    ]


def test_a_str_that_looks_like_a_file_name_gets_a_hint_without_a_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the file system was consulted")

    for name in ("os.stat", "os.lstat", "os.path.isfile", "os.path.exists"):
        monkeypatch.setattr(name, refuse)
    for text in ("/etc/passwd", "networks/default.xml", "./x"):
        with pytest.raises(ParseError, match=r"pass pathlib\.Path"):
            virtnetlib.parse(text)
    with pytest.raises(ParseError) as info:
        virtnetlib.parse("default")
    assert "pathlib" not in str(info.value)


def test_an_element_with_too_many_attributes_is_refused_at_once() -> None:
    """lxml reads attributes in time quadratic in their number: past the limit
    the document is refused, named where, before anything reads them."""
    from virtnetlib._core.xml import MAX_ATTRIBUTES

    def doc(count: int) -> str:
        attributes = " ".join(f"a{i}='x'" for i in range(count))
        return f"<network>\n  <name>n</name>\n  <bridge {attributes}/>\n</network>\n"

    assert len(virtnetlib.unmodeled(Network.from_xml(doc(MAX_ATTRIBUTES)))) == MAX_ATTRIBUTES
    with pytest.raises(ParseError, match=r"<bridge> has 257 attributes, more than the limit") as e:
        Network.from_xml(doc(MAX_ATTRIBUTES + 1))
    assert (e.value.line, e.value.path) == (3, "/network/bridge")
    # many attributes spread over many elements are fine
    many = "".join(
        f"<route address='198.51.100.{i % 250}' prefix='32' gateway='198.51.100.1'/>"
        for i in range(300)
    )
    assert len(Network.from_xml(f"<network><name>n</name>{many}</network>").routes) == 300
