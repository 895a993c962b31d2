"""The annual report: XLSX with its sheets and chart; PDF with the KRDS font (Pretendard GOV)
embedded, checked with pdffonts, rendered to PNG with pdftoppm (kept as a test artifact)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from onestop.cli import app as cli_app

ARTIFACTS = Path(os.environ.get("ONESTOP_ARTIFACTS", "test-artifacts")) / "reports"
PROGRAM = "kosmes-distribution-channel-entry"


def _report(database_url: str, fmt: str, out: Path) -> None:
    from onestop.korea.dates import KST
    from onestop.platform.db import utcnow

    r = CliRunner().invoke(cli_app, ["report", "program", PROGRAM, "--year", str(utcnow().astimezone(KST).year),
                                     "--format", fmt, "--out", str(out), "--database-url", database_url])
    assert r.exit_code == 0, r.output


def test_xlsx_report_has_its_sheets(database_url: str, tmp_path: Path) -> None:
    from onestop.applications import services as applications
    from onestop.platform.db import Database
    from tests.integration.funds_helpers import officer
    from tests.integration.test_outcomes import _signed

    database = Database(database_url)
    with database.unit_of_work() as s:  # one execution this year, by the firm in 순천 (전남광주통합특별시 since 2026)
        applications.act(s, officer(s), _signed(s, "founder@onestop.demo", PROGRAM, "kosmes"), "execute", None)
    database.dispose()
    out = tmp_path / "report.xlsx"
    _report(database_url, "xlsx", out)
    wb = load_workbook(out)
    assert wb.sheetnames == ["요약", "성과지표", "시도별"]
    assert wb["요약"]["A1"].value == "사업" and "유통망" in str(wb["요약"]["B1"].value)
    by_sido = {a.value: b.value for a, b in zip(wb["시도별"]["A"], wb["시도별"]["B"], strict=True)}
    assert wb["시도별"]["A1"].value == "시도" and by_sido["전남광주통합특별시"] == "x"  # one firm: suppressed
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())  # the bar chart


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is installed by .ci/run")
def test_pdf_embeds_the_korean_font(database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    _report(database_url, "pdf", out)
    assert out.read_bytes().startswith(b"%PDF")
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    lines = [line for line in fonts.splitlines() if "Pretendard" in line]
    assert lines, fonts
    assert all(" yes " in line.split("Pretendard", 1)[1] for line in lines)  # emb yes
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "성과 보고서" in text and "시도별 지원 기업" in text  # Hangul drawn and extractable
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out), str(ARTIFACTS / "program-report")],
                   check=True)
    assert any(ARTIFACTS.glob("program-report*.png"))
