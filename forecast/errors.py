"""Errors and warnings about input data.

A :class:`DataError` is what a planner sees when a history file breaks the data contract. It
always says *where* (file, line or row, column), *what* (the offending value) and *what was
expected*, in one line that can be printed as is::

    passport.csv, line 7, column 'y': '12,5x' is not a number; expected a non-negative number such as 42 or 12.5

Line numbers count as a person does in the file: the header is line 1, so the first data row is
line 2. The same facts are attributes (``path``, ``line``, ``column``, ``value``, ``expected``) for
code that wants to point at the cell, e.g. the app highlighting the row.

Text from files is shown, never obeyed: every message passes through :func:`visible`, so an ESC
sequence, a bidirectional override or a line break inside a series name or a file name appears as
``\x1b``, ``\u202e`` or ``\n`` instead of recolouring a terminal or reordering a line.

:class:`LimitError` is a value past one of :mod:`forecast.limits`; :class:`OutputError` an output
file that cannot or must not be written (:mod:`forecast.writers`). All three are ``ValueError``.
"""
from __future__ import annotations

from typing import Any

__all__ = ["DataError", "DataWarning", "LimitError", "OutputError", "visible"]

_UNSET: Any = object()


def visible(text: str) -> str:
    """``text`` with every non-printable character (controls such as ESC, line breaks, tabs,
    bidirectional overrides, zero-width and other format characters) written as its Python escape
    (``\\x1b``, ``\\n``, ``\\u202e``), the way :func:`repr` shows it; printable text unchanged."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class DataError(ValueError):
    """Input data that breaks the history contract.

    Parameters
    ----------
    problem:
        What is wrong, in words, usually quoting the value (``"'12,5x' is not a number"``).
    path:
        The file as the user named it (``"data/passport.csv"``), ``"DataFrame"`` for an in-memory
        frame, or ``None`` when unknown.
    line:
        Line (CSV) or row (XLSX, Parquet, DataFrame) number as a person counts it: header = 1,
        first data row = 2. ``None`` when the problem is not one row (e.g. a missing column).
    column:
        Column name, or ``None``.
    value:
        The offending value as read (a string for text files). Left unset when there is none.
    expected:
        What would have been accepted (``"a non-negative number such as 42 or 12.5"``).
    where:
        How to say ``line`` in the message when "line N" is not right, e.g.
        ``"sheet 'Data', row 7"`` or ``"row 7 (index 5)"``. Several rows may be named
        (``"lines 3 and 9"``).
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: Any = _UNSET,
        expected: str | None = None,
        where: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = path
        self.line = line
        self.column = column
        self.value = None if value is _UNSET else value
        self.expected = expected
        self.where = where if where is not None else (f"line {line}" if line is not None else None)
        super().__init__(self._message())

    def _message(self) -> str:
        parts = [p for p in (self.path, self.where) if p]
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        head = ", ".join(parts)
        text = f"{head}: {self.problem}" if head else self.problem
        if self.expected:
            text += f"; expected {self.expected}"
        return visible(text)

    def __reduce__(self):  # keep the attributes through pickling (dask workers, multiprocessing)
        return (_rebuild, (self.problem, self.path, self.line, self.column, self.value, self.expected, self.where))


def _rebuild(problem, path, line, column, value, expected, where) -> DataError:
    return DataError(problem, path=path, line=line, column=column, value=value, expected=expected, where=where)


class DataWarning(UserWarning):
    """Data that is accepted but deserves a look (e.g. blank values loaded as NaN)."""


class LimitError(ValueError):
    """A value past one of the limits of :mod:`forecast.limits`; the message says the limit and
    what to do. ``limit`` is the limit's name (``"MAX_ROWS"``), ``value`` the value refused."""

    def __init__(self, message: str, *, limit: str, value: Any = None) -> None:
        self.limit = limit
        self.value = value
        super().__init__(visible(message))

    def __reduce__(self):
        return (_rebuild_limit, (self.args[0], self.limit, self.value))


def _rebuild_limit(message: str, limit: str, value: Any) -> LimitError:
    return LimitError(message, limit=limit, value=value)


class OutputError(ValueError):
    """An output file that must not or could not be written: it is one of the inputs, it exists
    and ``force`` was not given, or the disk refused it. ``path`` is the file as the user named
    it; the message is one sentence naming it and what to do."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(visible(message))

    def __reduce__(self):
        return (_rebuild_output, (self.args[0], self.path))


def _rebuild_output(message: str, path: str | None) -> OutputError:
    return OutputError(message, path=path)
