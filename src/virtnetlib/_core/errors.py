"""The exception hierarchy: one root, :class:`Error`, for everything virtnetlib raises."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs


def closest(text: str, known: Iterable[str]) -> str | None:
    """The one of ``known`` that ``text`` most likely misspells, if any.

    The same word in other case first ('NAT' for 'nat'), then a close match.
    """
    candidates = list(known)
    same = [k for k in candidates if k.lower() == text.lower()]
    if same:
        return same[0]
    import difflib  # noqa: PLC0415 - only when a message needs it, not on every import

    close = difflib.get_close_matches(text, candidates, n=1, cutoff=0.75)
    return close[0] if close else None


def did_you_mean(text: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` to end a message about ``text``, or ``""``."""
    meant = closest(text, known)
    return f" (did you mean {meant!r}?)" if meant else ""


class Error(Exception):
    """Root of every exception virtnetlib raises on purpose.

    Catch this to handle any virtnetlib failure; the subclasses say what kind.
    """


class UsageError(Error, ValueError, TypeError):
    """An argument virtnetlib cannot use: a value of the wrong type or out of range.

    Also a ``ValueError`` and a ``TypeError``, so code that catches those
    keeps working.
    """


def expect_str(value: Any, what: str, *, nonempty: bool = False) -> str:
    """``value`` if it is text a system call can take (a str without NUL, and
    not empty if ``nonempty``); otherwise a :class:`UsageError` naming ``what``."""
    if not isinstance(value, str) or (nonempty and not value):
        expected = "a non-empty str" if nonempty else "a str"
        raise UsageError(f"{what}: expected {expected}, got {type(value).__name__} {_shown(value)}")
    if "\x00" in value:
        raise UsageError(f"{what}: {value!r} holds a NUL character")
    return value


def expect_seconds(value: Any, what: str = "timeout") -> float:
    """``value`` as seconds to wait: a finite number > 0 (not a bool, NaN or
    infinity, which would make a wait end at once or never)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < float(value) < float("inf")
    ):
        raise UsageError(f"{what} {value!r}: expected seconds, a finite number > 0")
    return float(value)


def expect_path(value: Any, what: str) -> Path:
    """``value`` (a str or path object) as a :class:`~pathlib.Path`; otherwise a
    :class:`UsageError` that names ``what``."""
    if not isinstance(value, (str, os.PathLike)):
        raise UsageError(
            f"{what}: expected a path (str or pathlib.Path), got {type(value).__name__}"
            f" {_shown(value)}"
        )
    return Path(expect_str(os.fspath(value), what))


def expect_names(value: Any, what: str) -> list[str]:
    """``value`` as a list of names (str); a lone str is refused, not split into letters."""
    if isinstance(value, str):
        raise UsageError(f"{what}: expected a list of names, got the str {value!r}; [{value!r}]?")
    try:
        items = list(value)
    except TypeError:
        raise UsageError(
            f"{what}: expected a list of names, got {type(value).__name__} {_shown(value)}"
        ) from None
    return [expect_str(item, f"{what}[{i}]") for i, item in enumerate(items)]


def shortened(text: str, limit: int = 60) -> str:
    """``text``, cut to ``limit`` characters with ``...`` when longer (for messages)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _shown(value: Any) -> str:
    return shortened(repr(value))


@attrs.frozen
class Issue:
    """One problem found in a document: where it is and what was expected.

    ``line`` is the 1-based line of the element in the source (``None`` when
    the document did not come from text), ``path`` an XPath-like location
    such as ``/network/ip[2]/dhcp/range/@start``.
    """

    message: str
    line: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.path:
            where.append(self.path)
        return f"{': '.join(where)}: {self.message}" if where else self.message


class ParseError(Error, ValueError):
    """A document that cannot be read as the model asked for.

    Raised for malformed XML, forbidden constructs (DTDs, entities), a wrong
    root element, and values that do not fit their field. Every problem found
    in one pass is in :attr:`issues`; :attr:`line` and :attr:`path` are those
    of the first one. ``source`` names the file when one was given.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        path: str | None = None,
        issues: Sequence[Issue] | None = None,
        source: str | None = None,
    ) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues) if issues else (Issue(message, line, path),)
        first = self.issues[0]
        self.message = first.message
        self.line = first.line
        self.path = first.path
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        first = self.issues[0]
        if self.source:
            # file:line: path: message, as compilers and `validate` write it
            where = [self.source if first.line is None else f"{self.source}:{first.line}"]
            where += [first.path] if first.path else []
            text = f"{': '.join(where)}: {first.message}"
        else:
            text = str(first)
        more = len(self.issues) - 1
        if more:
            text += f" (and {more} more problem{'s' if more > 1 else ''})"
        return text

    def with_source(self, source: str) -> ParseError:
        """The same error, naming the file it came from."""
        return ParseError(self.message, issues=self.issues, source=source)
