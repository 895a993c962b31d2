"""The statements template as an XLSX workbook (openpyxl): the platform offers it for download,
a firm fills it in (in Excel, 한셀 or LibreOffice) and uploads it.

Layout of sheet `재무제표`: row 1 a title, row 3 the headers (`항목`, `Line`, `key`, then up to
three fiscal years), rows 4–17 the fourteen lines of `statements.LINES` in order. Amounts are
integer won. Reading accepts formulas (their computed values, as saved by the spreadsheet) and
refuses a formula error (`#DIV/0!`, `#REF!`…) naming the cell and the line.
"""

from __future__ import annotations

import io
from typing import Any

from onestop.errors import DomainError, FieldProblem
from onestop.evaluation.statements import LINE, LINES, MAX_YEARS

SHEET = "재무제표"
HEADER_ROW = 3
FIRST_LINE_ROW = 4
FIRST_YEAR_COL = 4  # D
MAX_BYTES = 2 * 1024 * 1024
_ERRORS = ("#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")


def _not_template(ko: str, en: str) -> DomainError:
    return DomainError(code="xlsx_template", field="file",
                       ko=f"플랫폼이 제공하는 재무제표 양식이 아닙니다: {ko} 양식을 내려받아 그대로 채워 올려 주세요.",
                       en=f"This is not the platform's statements template: {en} Download the template and fill it in as it is.")


def template(years: list[int], values: list[dict[str, Any]] | None = None) -> bytes:
    """The template for `years` (newest first, at most three), optionally filled with `values`
    (statement dicts by year, e.g. the firm's latest version)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = "재무제표 입력 양식 (원 단위 정수) / Financial statements template (whole won)"
    ws["A1"].font = Font(bold=True)
    ws["A2"] = "자산총계 = 부채총계 + 자본총계. 손실은 음수로 적습니다. Total assets = liabilities + equity; a loss is negative."
    headers = ["항목", "Line", "key", *[f"{y}" for y in years[:MAX_YEARS]]]
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=int(text) if text.isdigit() else text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F5")
    by_year = {int(v["year"]): v for v in values or []}
    for i, line in enumerate(LINES):
        row = FIRST_LINE_ROW + i
        ws.cell(row=row, column=1, value=line.ko)
        ws.cell(row=row, column=2, value=line.en)
        ws.cell(row=row, column=3, value=line.key)
        for j, year in enumerate(years[:MAX_YEARS]):
            cell = ws.cell(row=row, column=FIRST_YEAR_COL + j, value=by_year.get(year, {}).get(line.key))
            cell.number_format = "#,##0"
    whole = DataValidation(type="whole", allow_blank=True, showErrorMessage=True,
                           errorTitle="정수만 / whole numbers only",
                           error="원 단위 정수를 입력하세요. Enter whole won.")
    ws.add_data_validation(whole)
    last = FIRST_LINE_ROW + len(LINES) - 1
    whole.add(f"D{FIRST_LINE_ROW}:F{last}")
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].hidden = True
    for letter in ("D", "E", "F"):
        ws.column_dimensions[letter].width = 20
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read(data: bytes) -> list[dict[str, Any]]:
    """The years stated in an uploaded template, as raw values for `parse_statements` (which does
    the checks of amounts). Raises DomainError: `xlsx_template` when the file is not the template
    (not an XLSX, no `재무제표` sheet, lines or years moved), `xlsx_formula` with one problem per
    cell holding a formula error."""
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise _not_template("파일이 2MB보다 큽니다.", "the file is larger than 2 MB.")
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception:  # untrusted bytes: a broken zip, missing parts, malformed XML — all "not the template"
        raise _not_template("XLSX 파일로 읽을 수 없습니다.", "it cannot be read as an XLSX file.") from None
    try:
        if SHEET not in wb.sheetnames:
            raise _not_template(f"'{SHEET}' 시트가 없습니다.", f"there is no sheet named '{SHEET}'.")
        rows = list(wb[SHEET].iter_rows(min_row=HEADER_ROW, max_row=FIRST_LINE_ROW + len(LINES) - 1,
                                        max_col=FIRST_YEAR_COL + MAX_YEARS - 1, values_only=True))
    except DomainError:
        raise
    except Exception:
        raise _not_template("시트를 읽을 수 없습니다.", "its sheet cannot be read.") from None
    finally:
        wb.close()
    if len(rows) < 1 + len(LINES):
        raise _not_template("항목 행이 모자랍니다.", "rows of lines are missing.")
    header, body = rows[0], rows[1:]
    years: list[tuple[int, int]] = []  # (column index, year)
    for col in range(FIRST_YEAR_COL - 1, len(header)):
        value = header[col]
        if value is None or value == "":
            continue
        text = str(value).strip().removesuffix(".0")
        if not (text.isdigit() and 1950 <= int(text) <= 2100):
            raise _not_template(f"{HEADER_ROW}행의 사업연도 {str(value)[:20]!r}가 4자리 연도가 아닙니다.",
                                f"the fiscal year {str(value)[:20]!r} in row {HEADER_ROW} is not a 4-digit year.")
        years.append((col, int(text)))
    if not years:
        raise _not_template(f"{HEADER_ROW}행에 사업연도가 없습니다.", f"row {HEADER_ROW} names no fiscal year.")
    problems: list[FieldProblem] = []
    out: list[dict[str, Any]] = [{"year": y} for _, y in years]
    for i, (line, row) in enumerate(zip(LINES, body, strict=True)):
        key = str(row[2] or "").strip()
        if key != line.key:
            raise _not_template(f"{FIRST_LINE_ROW + i}행은 '{line.ko}'여야 합니다 (행 순서를 바꾸지 마세요).",
                                f"row {FIRST_LINE_ROW + i} must be '{line.en}' (do not reorder the rows).")
        for k, (col, year) in enumerate(years):
            value = row[col]
            if isinstance(value, str) and value.strip().upper() in _ERRORS:
                ref = f"{chr(ord('A') + col)}{FIRST_LINE_ROW + i}"
                problems.append(FieldProblem(
                    f"years.{year}.{line.key}", "formula_error",
                    f"{ref} 셀({year}년 {LINE[line.key].ko})의 수식에 오류({value.strip()})가 있습니다. "
                    "수식을 고치거나 금액을 직접 적으세요.",
                    f"Cell {ref} ({line.en}, {year}) holds a formula error ({value.strip()}); fix the formula or type the amount."))
                continue
            out[k][line.key] = value
    if problems:
        raise DomainError(code="xlsx_formula", field=problems[0].field,
                          ko=f"양식에 수식 오류가 {len(problems)}개 있습니다.",
                          en=f"The template has {len(problems)} formula error(s).", problems=problems)
    keys = [line.key for line in LINES]
    return [y for y in out if any(y.get(k) not in (None, "") for k in keys)]  # a blank year column is left out
