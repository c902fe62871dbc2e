"""virtnetlib.testing exercises every field the models declare.

The public strategies are derived from the models' field declarations
(``testing.models``). These tests check that the derivation, and the
constraints written on top of it, leave no field of a class reachable from
a network, a domain interface or a host interface unset in every example
and no closed-set or yes/no value ungenerated; and that the tables of what
the declarations cannot say name real fields.

A field is counted where it is declared: the fields a base class declares
(``Interface.mac``, ``PciAddress.bus``) are one field for all of its
subclasses, whose own fields (``NetworkInterface.source``) count on their
own. Every reachable class is drawn the way the documents draw it
(``models(cls)``, what the document strategies are made of), so a field
deep in a document needs no luck to come up; a parent's field that holds
a child is checked like any other, so a parent that never sets its child
is seen. Each draw has a fixed seed: the same examples every run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

import virtnetlib
from virtnetlib import Model, UsageError, testing
from virtnetlib._core import converters as t
from virtnetlib._core import fields as f
from virtnetlib._core.model import _plan_of

ROOTS = (virtnetlib.Network, virtnetlib.Interface, virtnetlib.HostInterface)

#: How many of a class one draw makes, by what the class is: a whole
#: document (a network, an interface of one type), a class holding
#: children, a class holding only values.
BATCH = {"document": 8, "parent": 20, "leaf": 50}
#: Drawn instances of a class for each value one of its fields may take
#: (counting "left out"): enough for each to come up, with room to spare.
PER_CHOICE = 8

#: Fields never set, with the reason, by (declaring class, field).
EXEMPT_FIELDS: dict[tuple[str, str], str] = {}

#: Closed-set or yes/no values never generated, with the reason.
EXEMPT_VALUES: dict[tuple[str, str, Any], str] = {
    ("Vlan", "trunk", False): "libvirt knows only trunk='yes'",
}


def _classes(model: Any) -> list[type[Model]]:
    """The concrete classes a field's model (or a root) stands for."""
    if isinstance(model, dict):
        found = list(model.values())
    elif isinstance(model, tuple):
        found = list(model)
    else:
        found = [model]
    concrete: list[type[Model]] = []
    for cls in found:
        if cls.__xml_variants__ and not cls.__xml_const__:
            concrete.extend(cls.__xml_variants__.values())
        else:
            concrete.append(cls)
    return concrete


def _reachable(root: type[Model]) -> set[type[Model]]:
    found: set[type[Model]] = set()
    todo = _classes(root)
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.add(cls)
            for spec in _plan_of(cls).fields:
                if spec.kind in (f._CHILD, f._CHILDREN):
                    todo.extend(_classes(spec.model))
    return found


def _declared(cls: type[Model], name: str) -> tuple[str, str]:
    """``(class, field)``: the class that declares ``cls.name``."""
    for klass in cls.__mro__:
        if any(a.name == name and not a.inherited for a in getattr(klass, "__attrs_attrs__", ())):
            return klass.__name__, name
    raise AssertionError(f"{cls.__name__}.{name} is declared nowhere")


def _declarations(root: type[Model]) -> dict[tuple[str, str], f._Spec]:
    """The fields of the classes reachable from ``root``, by where they are declared."""
    return {
        _declared(cls, spec.name): spec for cls in _reachable(root) for spec in _plan_of(cls).fields
    }


def _models(obj: Model) -> Iterator[Model]:
    """``obj`` and every model inside it."""
    yield obj
    for spec in _plan_of(type(obj)).fields:
        value = getattr(obj, spec.name)
        if spec.kind == f._CHILD and value is not None:
            yield from _models(value)
        elif spec.kind == f._CHILDREN:
            for item in value:
                yield from _models(item)


class _Seen:
    """The fields set, and the closed-set and yes/no values, in what was drawn."""

    def __init__(self) -> None:
        self.fields: set[tuple[str, str]] = set()
        self.values: dict[tuple[str, str], set[Any]] = defaultdict(set)

    def record(self, root: Model) -> None:
        for obj in _models(root):
            for spec in _plan_of(type(obj)).fields:
                value = getattr(obj, spec.name)
                if value is None or value == []:
                    continue
                key = _declared(type(obj), spec.name)
                self.fields.add(key)
                if isinstance(spec.conv, t.Enum | t.Bool):
                    self.values[key].update(value if isinstance(value, list) else [value])


def _collect(strategy: Any, draws: int, record: _Seen) -> None:
    """Record ``draws`` random examples of ``strategy``, each from its own seed.

    Two examples a run: Hypothesis's first is the simplest, which costs
    little; the second is random. More examples a run would mostly be
    mutations of earlier ones, which repeat them.
    """
    for number in range(draws):

        @seed(number)
        @settings(
            max_examples=2,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def collect(objs: list[Model]) -> None:
            for obj in objs:
                record.record(obj)

        collect()


def _kind(cls: type[Model]) -> str:
    if any(cls in _classes(root) for root in ROOTS):
        return "document"
    holds = any(spec.kind in (f._CHILD, f._CHILDREN) for spec in _plan_of(cls).fields)
    return "parent" if holds else "leaf"


def _choices(cls: type[Model]) -> int:
    """The most values one field of ``cls`` may take, counting "left out"."""
    specs = _plan_of(cls).fields
    closed = [len(spec.conv.values) + 1 for spec in specs if isinstance(spec.conv, t.Enum)]
    return max([*closed, 3])  # 3: yes, no, left out


@pytest.fixture(scope="module")
def seen() -> _Seen:
    record = _Seen()
    for cls in sorted(set().union(*map(_reachable, ROOTS)), key=lambda c: c.__name__):
        size = BATCH[_kind(cls)]
        draws = -(-PER_CHOICE * _choices(cls) // size)
        _collect(st.lists(testing.models(cls), min_size=size, max_size=size), draws, record)
    return record


@pytest.mark.parametrize("root", ROOTS, ids=[r.__name__ for r in ROOTS])
def test_every_field_is_generated(root: type[Model], seen: _Seen) -> None:
    missing = sorted(
        key for key in _declarations(root) if key not in seen.fields and key not in EXEMPT_FIELDS
    )
    assert not missing, f"fields never set (exempt one only with a reason): {missing}"


@pytest.mark.parametrize("root", ROOTS, ids=[r.__name__ for r in ROOTS])
def test_every_closed_set_value_is_generated(root: type[Model], seen: _Seen) -> None:
    missing: list[tuple[str, str, Any]] = []
    for key, spec in _declarations(root).items():
        if isinstance(spec.conv, t.Enum):
            values: tuple[Any, ...] = spec.conv.values
        elif isinstance(spec.conv, t.Bool):
            values = (True, False)
        else:
            continue
        missing.extend(
            (*key, value)
            for value in values
            if value not in seen.values[key] and (*key, value) not in EXEMPT_VALUES
        )
    assert not missing, f"values never generated (exempt one only with a reason): {missing}"


def test_exemptions_name_real_fields() -> None:
    declared = set().union(*map(_declarations, ROOTS))
    for cls_name, name, *_ in [*EXEMPT_FIELDS, *EXEMPT_VALUES]:
        assert (cls_name, name) in declared


def test_the_tables_name_real_fields() -> None:
    for table in (testing._VALUES, testing._REQUIRED):
        for cls, name in table:
            assert name in attrs.fields_dict(cls), (cls.__name__, name)
    for cls in testing._CONSTRAINED:
        assert issubclass(cls, Model)


# ------------------------------------------------------------------ models()


def test_models_takes_overrides() -> None:
    @settings(max_examples=20, derandomize=True, database=None, deadline=None)
    @given(testing.models(virtnetlib.Network, name=st.just("default"), forward=st.none()))
    def check(net: virtnetlib.Network) -> None:
        assert net.name == "default"
        assert net.forward is None

    check()


def test_models_of_a_union_base_gives_its_types() -> None:
    @settings(max_examples=30, derandomize=True, database=None, deadline=None)
    @given(testing.models(virtnetlib.Interface, mac=st.none()))
    def check(iface: virtnetlib.Interface) -> None:
        assert type(iface) in virtnetlib.Interface.__xml_variants__.values()
        assert iface.mac is None

    check()


def test_models_refuses_an_unknown_field() -> None:
    with pytest.raises(UsageError, match="no field colour"):
        testing.models(virtnetlib.Network, colour=st.just("blue"))
    with pytest.raises(UsageError, match="no field colour"):
        testing.models(virtnetlib.Interface, colour=st.just("blue"))


class _Odd(t.Conv[str]):
    """A converter virtnetlib.testing has no strategy for."""

    pytype = str

    def parse(self, text: str) -> str:
        return text


@attrs.define(kw_only=True, repr=False)
class _OddModel(Model):
    __xml_tag__ = "odd"

    value: str | None = f.attribute(conv=_Odd())


def test_a_converter_without_a_strategy_is_named() -> None:
    with pytest.raises(UsageError, match=r"_Odd, the converter of _OddModel\.value"):
        testing.models(_OddModel)

    @settings(max_examples=5, database=None, deadline=None)
    @given(testing.models(_OddModel, value=st.just("x")))
    def check(odd: _OddModel) -> None:
        assert odd.value == "x"

    check()
