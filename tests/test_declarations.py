"""Model declarations: closed sets come from their Literal, generated code is named uniquely."""

from __future__ import annotations

import linecache
import traceback
from typing import Literal

import attrs
import pytest

import virtnetlib
from virtnetlib._core import model as core_model
from virtnetlib._core.converters import Enum, Int
from virtnetlib._core.errors import UsageError
from virtnetlib._core.fields import attribute, element, text_element, text_elements
from virtnetlib._models.network import Forward, ForwardMode, Lease, LeaseUnit

Colour = Literal["red", "green"]


@attrs.define(kw_only=True, repr=False)
class _Paint(virtnetlib.Model):
    __xml_tag__ = "paint"

    colour: Colour | None = attribute()
    finish: Literal["matt", "gloss"] = attribute(required=True)
    label: str | None = text_element()
    tags: list[Literal["a", "b"]] = text_elements("tag")
    size: int | None = attribute(conv=Int(0, 9))


def _spec(cls: type, name: str) -> object:
    return attrs.fields_dict(cls)[name].metadata["virtnetlib.xml"]


def test_a_literal_annotation_is_the_closed_set() -> None:
    conv = _spec(_Paint, "colour").conv  # type: ignore[attr-defined]
    assert isinstance(conv, Enum)
    assert conv.values == ("red", "green")
    assert _spec(_Paint, "finish").conv.values == ("matt", "gloss")  # type: ignore[attr-defined]
    assert _spec(_Paint, "tags").conv.values == ("a", "b")  # type: ignore[attr-defined]
    paint = _Paint.from_xml("<paint colour='green' finish='matt'><tag>b</tag></paint>")
    assert paint.colour == "green"
    with pytest.raises(virtnetlib.ParseError, match="expected one of 'red', 'green', got 'blue'"):
        _Paint.from_xml("<paint colour='blue' finish='matt'/>")
    with pytest.raises(virtnetlib.FieldValueError, match="expected one of 'matt', 'gloss'"):
        _Paint(finish="satin")  # type: ignore[arg-type]


def test_the_models_closed_sets_are_their_literals() -> None:
    """The library's own fields: one declaration, the Literal alias."""
    assert _spec(Forward, "mode").conv.values == ForwardMode.__args__  # type: ignore[attr-defined]
    assert _spec(Lease, "unit").conv.values == LeaseUnit.__args__  # type: ignore[attr-defined]
    # one converter object per set, shared by every field that uses it
    assert _spec(Forward, "mode").conv is _spec(Forward, "mode").conv  # type: ignore[attr-defined]


def test_a_field_whose_converter_cannot_follow_from_its_annotation_is_refused() -> None:
    with pytest.raises(UsageError, match=r"_Bad\.count: pass conv=; no converter follows"):

        @attrs.define(kw_only=True, repr=False)
        class _Bad(virtnetlib.Model):
            __xml_tag__ = "bad"
            count: int | None = attribute()

    with pytest.raises(UsageError, match=r"_Mixed\.x: pass conv="):

        @attrs.define(kw_only=True, repr=False)
        class _Mixed(virtnetlib.Model):
            __xml_tag__ = "mixed"
            x: Literal["a", 1] | None = attribute()


def test_an_annotation_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(
        UsageError, match=r"_Unread\.x: cannot read the annotation 'Nowhere \| None'"
    ):

        @attrs.define(kw_only=True, repr=False)
        class _Unread(virtnetlib.Model):
            __xml_tag__ = "unread"
            x: Nowhere | None = attribute()  # type: ignore[name-defined]  # noqa: F821


def _source_name(cls: type, kind: str) -> str:
    plan = core_model._plan_of(cls)
    function = {"parse": plan.fast_parse, "write": plan.fast_write, "build": plan.build}[kind]
    assert function is not None
    name: str = function.__code__.co_filename
    return name


def test_generated_code_is_registered_under_the_class_full_name() -> None:
    virtnetlib.Network.from_xml("<network><name>n</name></network>").to_xml()
    for kind in ("parse", "write", "build"):
        name = _source_name(virtnetlib.Network, kind)
        assert name == f"<virtnetlib {kind} virtnetlib._models.network.Network>"
        assert linecache.getlines(name), name


def test_a_user_class_of_the_same_name_gets_its_own_source() -> None:
    virtnetlib.Network.from_xml("<network><name>n</name></network>").to_xml()
    ours = linecache.getlines(_source_name(virtnetlib.Network, "parse"))

    def make() -> type[virtnetlib.Model]:
        @attrs.define(kw_only=True, repr=False)
        class Network(virtnetlib.Model):  # a user's class, same name, other fields
            __xml_tag__ = "network"
            zone: str | None = attribute()

        return Network

    first, second = make(), make()  # the same module.qualname twice
    for cls in (first, second):
        cls.from_xml("<network zone='z'/>").to_xml()
    names = {_source_name(cls, "parse") for cls in (first, second)}
    names.add(_source_name(virtnetlib.Network, "parse"))
    assert len(names) == 3
    # the library's cached source is untouched, and a traceback through a
    # user's generated parser shows that parser's lines
    assert linecache.getlines(_source_name(virtnetlib.Network, "parse")) == ours
    for cls in (first, second):
        lines = linecache.getlines(_source_name(cls, "parse"))
        assert any("zone" in line for line in lines)


def test_a_traceback_shows_generated_lines() -> None:
    @attrs.define(kw_only=True, repr=False)
    class _Boom(virtnetlib.Model):
        __xml_tag__ = "boom"
        child: _Paint | None = element(_Paint)

    plan = core_model._plan_of(_Boom)
    original = core_model._plan_of(_Paint).parse

    def explode(*args: object) -> object:
        raise RuntimeError("inside")

    core_model._plan_of(_Paint).parse = explode
    try:
        with pytest.raises(RuntimeError) as info:
            _Boom.from_xml("<boom><paint finish='matt'/></boom>")
    finally:
        core_model._plan_of(_Paint).parse = original
        plan.reset()
    text = "".join(traceback.format_tb(info.tb))
    assert "<virtnetlib parse" in text
    assert "_Boom>" in text
