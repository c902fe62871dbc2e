"""``Problem``: one finding of validation, shared by schema checks and rules."""

from __future__ import annotations

from typing import Any, Literal

import attrs

__all__ = ["SCHEMA_CODES", "Problem", "Severity"]

Severity = Literal["error", "warning"]
"""``error``: libvirt would reject the document; ``warning``: advice."""

#: The codes of problems found by reading and by the schema, and what each means.
SCHEMA_CODES = {
    "E001": "the file cannot be read: missing, unreadable, not a regular file (a FIFO, a device,"
    " a folder); listed only in `validate --format json` output, beside exit status 2",
    "E100": "the document cannot be read: malformed XML, a DTD, an encoding other than UTF-8,"
    " the wrong root element",
    "E101": "a value does not fit: not in the allowed set, out of range, wrong pattern",
    "E102": "a required attribute or element is missing",
    "E103": "an element appears more often than allowed",
    "E104": "an attribute the schema does not know, or does not allow on this element here",
    "E105": "an element the schema does not allow here",
    "E110": "other schema mismatches, e.g. attributes or elements that exclude each other",
}


@attrs.frozen
class Problem:
    """One finding of :func:`validate`.

    ``code`` is stable (``E101``, ``E203``, ``W301`` ...); ``path`` is
    XPath-like (``/network/ip/dhcp/range[2]/@end``); ``expected`` lists the
    allowed values where that helps.
    """

    severity: Severity
    code: str
    message: str
    line: int | None = None
    path: str | None = None
    expected: tuple[str, ...] = ()
    file: str | None = None

    def __str__(self) -> str:
        where = f"{self.file or '<string>'}:{self.line or 0}"
        return f"{where}: {self.path or '/'}: {self.severity} {self.code}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return attrs.asdict(
            self, value_serializer=lambda _i, _a, v: list(v) if isinstance(v, tuple) else v
        )
