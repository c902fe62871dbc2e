"""``ModelList``: a list that a notebook shows as one table.

Kept apart from :mod:`virtnetlib._html`, which loads every model: what
returns a ModelList (``validate()``, the libvirt adapter) pays for the
HTML only when a notebook asks for it.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["ModelList"]

T = TypeVar("T")


class ModelList(list[T]):
    """A list that a notebook shows as one table (networks, interfaces, leases, VFs, problems)."""

    def _repr_html_(self) -> str:
        from virtnetlib._html import table  # noqa: PLC0415 - the HTML layer loads the models

        return table(self)
