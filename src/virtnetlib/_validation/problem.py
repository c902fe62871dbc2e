"""``Problem``: one finding of validation, shared by schema checks and rules."""

from __future__ import annotations

from typing import Any, Literal

import attrs

__all__ = ["Problem", "Severity"]

Severity = Literal["error", "warning"]
"""``error``: libvirt would reject the document; ``warning``: advice."""


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
