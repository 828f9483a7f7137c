"""The one way the server writes CSV. Every CSV file it answers is built by
``csv_text`` (and sent by ``csv_response``); nothing else imports Python's ``csv``
(``core/tests/test_csvfile.py`` checks the source).

A cell's type says where it came from, and so how it is written:

- ``str`` is **text**, which may come from a user (an item, category or branch
  name). A spreadsheet opening the file would run text that begins with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return as a formula (CSV injection:
  ``=HYPERLINK(…)``, ``-2+3+cmd|…``), so such text gets a leading ``'``, as
  OWASP advises: the spreadsheet shows it as text. Text that holds a comma, a
  semicolon, a tab, a quote or a line break is quoted (RFC 4180), so a
  spreadsheet splitting on a semicolon (the list separator of many locales)
  cannot start a new cell, and a formula, in the middle of one.
- ``int`` and ``Decimal`` are **numbers the server computed** and are written
  as they are: ``-350.00`` stays a negative number a spreadsheet can add up.
  ``datetime.date`` and ``uuid.UUID`` are written as ISO dates and hyphenated
  hex; ``None`` as an empty cell. Anything else is a programming error
  (``TypeError``): a value of unknown origin is never written unescaped.

So escaping goes by a cell's origin, not its look: text that happens to read
``-5`` is written ``'-5``, a number ``-5`` stays ``-5``."""

import datetime
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

CONTENT_TYPE = "text/csv; charset=utf-8"
LINE_END = "\r\n"
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text holding any of these is quoted: the RFC 4180 set, plus the separators
# spreadsheets use in other locales (";") and when pasting ("\t").
NEEDS_QUOTES = frozenset(',;\t"\r\n')

Cell = str | int | Decimal | datetime.date | uuid.UUID | None


def text_cell(value: str) -> str:
    """``value`` as a spreadsheet will show it, never run: a formula's first
    character gets a ``'`` before it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _field(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        text = text_cell(cell)
        if NEEDS_QUOTES.isdisjoint(text):
            return text
        return '"' + text.replace('"', '""') + '"'
    if isinstance(cell, bool):
        raise TypeError("A CSV cell is text or a number, not a bool.")
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, datetime.datetime):
        raise TypeError("A CSV cell holds a date, not a moment: say which time zone it is in, as text.")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    if isinstance(cell, uuid.UUID):
        return str(cell)
    raise TypeError(f"A CSV cell cannot be a {type(cell).__name__}.")


def csv_text(rows: Iterable[Sequence[Cell]]) -> str:
    """The rows as CSV text: cells separated by commas, each line ended by CRLF."""
    return "".join(",".join(_field(cell) for cell in row) + LINE_END for row in rows)


def csv_response(rows: Iterable[Sequence[Cell]], *, filename: str) -> HttpResponse:
    """A CSV file to download, named ``filename`` (which the server makes: ASCII
    letters, digits, ``-``, ``_`` and ``.`` only)."""
    if not filename or not all(c.isascii() and (c.isalnum() or c in "-_.") for c in filename):
        raise ValueError(f"Not a safe file name: {filename!r}")
    response = HttpResponse(csv_text(rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
