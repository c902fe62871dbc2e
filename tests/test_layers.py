"""The package's layers, read from the source: imports go down, never round.

    _core        errors, files, xml, converters, fields, model, compiled, display
    _models      common, address, network, interface, hostinterface, domain, documents
    _validation  problem, grammar, bulk, explain, schema, schemagen, rules/ (engine, common,
                 network, interface, host, driver, qemu, advice), validate, reference
    adapters     libvirt, sriov, nmcli
    top          fakesysfs, testing, cli, __main__, __init__ (the export table)

A module imports only from its own layer or the layers below it; inside a
layer the imports form no circle; every import of the package is at the top
of a module (none hidden in a function, none only for type checking), so
this test sees the whole graph.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "src" / "virtnetlib"

LAYERS = {
    "_core": 0,
    "_models": 1,
    "_validation": 2,
    "libvirt": 3,
    "sriov": 3,
    "nmcli": 3,
    "fakesysfs": 4,
    "testing": 4,
    "cli": 4,
    "__main__": 4,
    "__init__": 5,
}


def _name(path: pathlib.Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__" and len(parts) > 2:
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else "__init__"]


def _imports(path: pathlib.Path) -> list[tuple[str, int, bool]]:
    """(module imported, line, whether at module level) for the package's own modules."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    found: list[tuple[str, int, bool]] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                pytest.fail(f"{path}:{node.lineno}: relative import; write the full name")
            if node.module == "virtnetlib":
                targets = [f"virtnetlib.{a.name}" for a in node.names]
            elif node.module.startswith("virtnetlib."):
                # `from virtnetlib._core import model` names a module; from a
                # package with code of its own (`_validation.rules`), a name
                # that is not a module comes from the package
                base = PACKAGE.parent / node.module.replace(".", "/")
                targets = [
                    f"{node.module}.{a.name}"
                    if (base / a.name).is_dir() or (base / f"{a.name}.py").exists()
                    else node.module
                    for a in node.names
                ]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.startswith("virtnetlib")]
        found.extend((t, node.lineno, id(node) in top) for t in targets)
    return found


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        _layer(module)  # KeyError names a module the table above forgot


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_and_sit_at_the_top(module: str) -> None:
    path = MODULES[module]
    for target, line, at_top in _imports(path):
        if target == "virtnetlib" and module == "virtnetlib":
            continue
        assert at_top, f"{path.name}:{line}: import of {target} inside a function or block"
        assert _layer(target) <= _layer(module), (
            f"{module} (layer {_layer(module)}) imports {target} (layer {_layer(target)})"
        )


def test_the_import_graph_has_no_circle() -> None:
    graph = {
        module: {t for t, _, _ in _imports(path) if t in MODULES and t != module}
        for module, path in MODULES.items()
    }
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        trail.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circle = [*trail[trail.index(nxt) :], nxt]
                pytest.fail("import circle: " + " → ".join(circle))
            if nxt not in state:
                visit(nxt)
        trail.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_the_checker_sees_a_circle_and_an_upward_import(tmp_path: pathlib.Path) -> None:
    """Guard against a test that cannot fail: feed it a bad module."""
    bad = PACKAGE / "_core" / "xml.py"
    source = bad.read_text()
    planted = source + "\nfrom virtnetlib._models import network\n"
    copy = tmp_path / "xml.py"
    copy.write_text(planted)
    imports = _imports(copy)
    assert ("virtnetlib._models.network", planted.count("\n"), True) in imports
    assert _layer("virtnetlib._models.network") > _layer("virtnetlib._core.xml")
    hidden = tmp_path / "hidden.py"
    hidden.write_text("def f():\n    from virtnetlib._core import xml\n")
    assert _imports(hidden) == [("virtnetlib._core.xml", 2, False)]
    # a package's own names lead to the package, its modules to themselves
    mixed = tmp_path / "mixed.py"
    mixed.write_text("from virtnetlib._validation.rules import RULES, engine\n")
    assert [t for t, _, _ in _imports(mixed)] == [
        "virtnetlib._validation.rules",
        "virtnetlib._validation.rules.engine",
    ]


def test_modules_are_loaded_by_name_only_where_that_is_the_point() -> None:
    """``importlib.import_module`` hides an import from the graph: only the
    export table (lazy loading) and the CLI's plan/apply (the libvirt
    adapter needs libvirt-python, an optional extra) use it."""
    users = {
        module
        for module, path in MODULES.items()
        if "import_module" in path.read_text() or "__import__" in path.read_text()
    }
    assert users == {"virtnetlib.__init__", "virtnetlib.cli"}
    assert 'import_module("virtnetlib.libvirt")' in MODULES["virtnetlib.cli"].read_text()
