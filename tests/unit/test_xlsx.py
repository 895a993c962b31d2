"""The statements template (openpyxl): what the platform writes, it reads back; anything else is
refused with a message (issue 8, bad input)."""

from __future__ import annotations

import io
import zipfile

import pytest

from onestop.errors import DomainError
from onestop.evaluation import xlsx
from onestop.evaluation.statements import parse_statements
from tests.unit.test_statements import daesung


def test_template_filled_with_values_reads_back_the_same_statements() -> None:
    years = [daesung(2025), daesung(2024, revenue=9_000_000_000)]
    data = xlsx.template([2025, 2024, 2023], years)
    read = xlsx.read(data)
    assert [y["year"] for y in read] == [2025, 2024]  # the blank 2023 column is left out
    assert parse_statements(read).as_json() == parse_statements(years).as_json()


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 broken", b"<html>not a workbook</html>"])
def test_broken_files_are_not_the_template(data: bytes) -> None:
    with pytest.raises(DomainError) as e:
        xlsx.read(data)
    assert e.value.code == "xlsx_template" and "양식" in e.value.ko


def test_a_zip_without_a_workbook_is_not_the_template() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(DomainError) as e:
        xlsx.read(buf.getvalue())
    assert e.value.code == "xlsx_template"


def test_moved_rows_are_refused_naming_the_row() -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx.template([2025], [daesung(2025)])))
    ws = wb["재무제표"]
    ws["C4"], ws["C5"] = ws["C5"].value, ws["C4"].value
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(DomainError) as e:
        xlsx.read(buf.getvalue())
    assert "4행" in e.value.ko and "row 4" in e.value.en
