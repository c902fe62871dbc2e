"""Which model an ``<interface>`` document is (filled by the interface models)."""

from __future__ import annotations

from typing import Any

from virtnetlib._binding import Model
from virtnetlib._errors import ParseError
from virtnetlib._xml import element_path

__all__ = ["interface_class"]


def interface_class(root: Any) -> type[Model]:
    raise ParseError(
        "domain and host <interface> documents are not supported yet",
        line=root.sourceline,
        path=element_path(root),
    )
