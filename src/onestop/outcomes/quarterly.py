"""An agency's quarterly report (issue 10, item 6): for one agency and quarter, the support
executed (by program and by 시도), the won disbursed (the funds ledger), the outcome reports
accepted whose period ended in the quarter, and the agency's KPI targets against their actuals
year to date. As a page, XLSX (openpyxl, a native bar chart) and PDF (WeasyPrint, the KRDS font
embedded), in Korean.

Counts by 시도 are suppressed as on the public statistics (the report leaves the agency): a
cell under 5 executions is hidden, and so is what would let it be derived from the total. The
counts by program are not (agencies publish them program by program)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onestop.catalog.loader import Catalog
from onestop.errors import DomainError
from onestop.korea import regions
from onestop.korea.money import format_won
from onestop.outcomes import kpi
from onestop.outcomes.kpi import measure_name
from onestop.outcomes.model import MEASURES, Kind, Measure
from onestop.outcomes.reports import font_faces, svg_bars
from onestop.outcomes.suppression import THRESHOLD, suppress_list
from onestop.outcomes.tables import SupportedRow


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of the quarter."""
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end - timedelta(days=1)


def check_quarter(year: str, quarter: str, today: date) -> tuple[int, int]:
    """(year, quarter) from text (a form, a query string); DomainError naming the field and
    what is allowed."""
    y = year.strip()
    if not y.isascii() or not y.isdigit() or not 2000 <= int(y) <= today.year + 1:
        raise DomainError(code="invalid", field="year",
                          ko=f"연도는 2000–{today.year + 1} 사이 네 자리로 입력하세요: {year!r}",
                          en=f"The year must be four digits between 2000 and {today.year + 1}; got {year!r}.")
    q = quarter.strip().upper().removeprefix("Q")
    if q not in ("1", "2", "3", "4"):
        raise DomainError(code="invalid", field="quarter", ko=f"분기는 1, 2, 3, 4 중 하나입니다: {quarter!r}",
                          en=f"The quarter is 1, 2, 3 or 4; got {quarter!r}.")
    return int(y), int(q)


@dataclass
class ProgramLine:
    program_id: str
    name: str
    executions: int
    executions_ytd: int
    disbursed_won: int
    #: accepted reports whose period ended in the quarter (latest per application)
    reports: int
    #: (measure, total) over those reports
    outcomes: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class AgencyQuarter:
    agency_id: str
    agency: str
    year: int
    quarter: int
    start: date
    end: date
    made_on: date
    executions: int = 0
    disbursed_won: int = 0
    programs: list[ProgramLine] = field(default_factory=list)
    #: (시도 code, executions or None when suppressed)
    by_sido: list[tuple[str, int | None]] = field(default_factory=list)
    sido_total: int | None = 0
    kpis: list[dict[str, Any]] = field(default_factory=list)


def _counts(db: Session, agency_id: str, start: date, end: date, column: Any) -> dict[str, int]:
    t = SupportedRow
    q = (select(column, func.count()).where(t.agency_id == agency_id, t.executed_on >= start, t.executed_on <= end)
         .group_by(column))
    return {str(k): int(n) for k, n in db.execute(q)}


def build(db: Session, catalog: Catalog, agency_id: str, year: int, quarter: int, today: date) -> AgencyQuarter:
    """The figures of one agency's quarter; DomainError `not_found` for an unknown agency."""
    agency = catalog.agencies.get(agency_id)
    if agency is None:
        raise DomainError(code="not_found", field="agency", ko=f"기관을 찾을 수 없습니다: {agency_id!r}",
                          en=f"No such agency: {agency_id!r}.")
    start, end = quarter_bounds(year, quarter)
    r = AgencyQuarter(agency_id, agency.name.ko, year, quarter, start, end, today)
    in_quarter = _counts(db, agency_id, start, end, SupportedRow.program_id)
    ytd = _counts(db, agency_id, date(year, 1, 1), end, SupportedRow.program_id)
    programs = sorted((p for p in catalog if p.spec.agency == agency_id), key=lambda p: p.spec.name.ko)
    for p in programs:
        paid = kpi.disbursed_between(db, p.id, start, end)
        reports, totals = kpi.outcome_totals(db, p.id, start, end)
        if not (in_quarter.get(p.id) or ytd.get(p.id) or paid or reports):
            continue
        plan = p.spec.outcomes
        outcomes = [(Measure(m).value, totals.get(Measure(m).value, 0)) for m in (plan.measures if plan else [])
                    if MEASURES[Measure(m)].kind != Kind.certification]
        r.programs.append(ProgramLine(p.id, p.spec.name.ko, in_quarter.get(p.id, 0), ytd.get(p.id, 0), paid, reports,
                                      outcomes))
    r.executions = sum(in_quarter.values())
    r.disbursed_won = sum(x.disbursed_won for x in r.programs)
    sidos = sorted(_counts(db, agency_id, start, end, SupportedRow.sido).items())
    published, r.sido_total = suppress_list([n for _, n in sidos])
    r.by_sido = [(k, v) for (k, _), v in zip(sidos, published, strict=True)]
    names = {p.id: (p.spec.name.ko, p.spec.name.en) for p in catalog}
    r.kpis = [{**kpi.as_dict(x), "program_name": names.get(x.target.program_id, (agency.name.ko, agency.name.en))[0],
               "program_name_en": names.get(x.target.program_id, (agency.name.ko, agency.name.en))[1]}
              for x in kpi.progress(db, year, agency_id=agency_id, until=end)]
    return r


def sido_name(code: str) -> str:
    return regions.name_of(code) if code in regions.table() else code


def _n(v: int | None) -> str:
    return "x" if v is None else f"{v:,}"


def title(r: AgencyQuarter) -> str:
    return f"{r.agency} {r.year}년 {r.quarter}분기 성과 보고서"


def xlsx(r: AgencyQuarter) -> bytes:
    """The report as an Excel workbook: 요약, 사업별, 시도별 (with a bar chart), 성과지표."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "요약"
    for row in (("기관", r.agency), ("기간", f"{r.year}년 {r.quarter}분기 ({r.start.isoformat()} ~ {r.end.isoformat()})"),
                ("작성일", r.made_on.isoformat()), ("집행 건수", r.executions), ("지급액(원)", r.disbursed_won)):
        ws.append(row)
    for c in ws["A"]:
        c.font = Font(bold=True)
    p = wb.create_sheet("사업별")
    p.append(["사업", "분기 집행", "연간 누계 집행", "분기 지급액(원)", "승인된 성과 보고", "성과 항목", "합계"])
    for x in r.programs:
        first = [x.name, x.executions, x.executions_ytd, x.disbursed_won, x.reports]
        if not x.outcomes:
            p.append([*first, "", ""])
        for i, (m, total) in enumerate(x.outcomes):
            p.append([*(first if i == 0 else [""] * len(first)), measure_name(m)[0], total])
    s = wb.create_sheet("시도별")
    s.append(["시도", "분기 집행"])
    for code, v in r.by_sido:
        s.append([sido_name(code), "x" if v is None else v])
    s.append(["합계", "x" if r.sido_total is None else r.sido_total])
    s.append([])
    s.append([f"x: {THRESHOLD}건 미만이거나 합계로 계산될 수 있어 공개하지 않음"])
    if r.by_sido:
        chart = BarChart()
        chart.title = "시도별 분기 집행"
        chart.add_data(Reference(s, min_col=2, min_row=1, max_row=1 + len(r.by_sido)), titles_from_data=True)
        chart.set_categories(Reference(s, min_col=1, min_row=2, max_row=1 + len(r.by_sido)))
        s.add_chart(chart, "D2")
    k = wb.create_sheet("성과지표")
    k.append(["사업", "지표", "단위", "연간 목표", "누계 실적", "달성률(%)", "출처"])
    for line in r.kpis:
        k.append([line["program_name"], measure_name(line["measure"])[0], line["unit"], line["target"], line["actual"], line["percent"],
                  line["source"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def html(r: AgencyQuarter) -> str:
    programs = "".join(
        f"<tr><td>{escape(x.name)}</td><td>{x.executions:,}</td><td>{x.executions_ytd:,}</td>"
        f"<td>{format_won(x.disbursed_won) if x.disbursed_won else '0원'}</td><td>{x.reports:,}</td>"
        f"<td>{'<br>'.join(f'{escape(measure_name(m)[0])}: {t:,}' for m, t in x.outcomes) or '—'}</td></tr>"
        for x in r.programs)
    sidos = "".join(f"<tr><td>{escape(sido_name(c))}</td><td>{_n(v)}</td></tr>" for c, v in r.by_sido)
    kpis = "".join(
        f"<tr><td>{escape(x['program_name'])}<br>{escape(measure_name(x['measure'])[0])}</td>"
        f"<td>{x['target']:,} {escape(x['unit'])}</td><td>{x['actual']:,}</td>"
        f"<td>{x['percent']}%</td><td class='src'>{escape(x['source'])}</td></tr>" for x in r.kpis)
    return f"""<!doctype html><html lang="ko"><head><meta charset="utf-8"><style>
{font_faces()}
@page {{ size: A4; margin: 18mm; @bottom-center {{ content: counter(page); font-size: 9pt; }} }}
body {{ font-family: "Pretendard GOV"; font-size: 10pt; color: #1e2124; }}
h1 {{ font-size: 17pt; font-weight: 700; margin: 0 0 4mm; }} h2 {{ font-size: 12.5pt; font-weight: 700; margin-top: 7mm; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 0.5pt solid #b1b8be; padding: 1.5mm 2mm; }}
th {{ background: #f4f5f6; text-align: left; }} .src {{ font-size: 8pt; color: #464c53; }} .note {{ font-size: 9pt; color: #464c53; }}
</style></head><body>
<h1>{escape(title(r))}</h1>
<p>{r.start.isoformat()} ~ {r.end.isoformat()} · 작성일 {r.made_on.isoformat()}</p>
<p>분기 집행 {r.executions:,}건 · 지급액 {format_won(r.disbursed_won) if r.disbursed_won else "0원"}</p>
<h2>사업별 집행·지급·성과</h2>
{"<table><tr><th>사업</th><th>분기 집행</th><th>연간 누계</th><th>분기 지급액</th><th>승인된 성과 보고</th><th>성과 합계</th></tr>"
 + programs + "</table>" if programs else "<p>이 분기에 집행·지급·성과 보고가 없습니다.</p>"}
<h2>시도별 집행</h2>
{svg_bars([(sido_name(c), v) for c, v in r.by_sido])}
{"<table><tr><th>시도</th><th>분기 집행</th></tr>" + sidos + f"<tr><th>합계</th><th>{_n(r.sido_total)}</th></tr></table>"
 if sidos else "<p>이 분기에 집행이 없습니다.</p>"}
<p class="note">x: {THRESHOLD}건 미만이거나 합계로 계산될 수 있어 공개하지 않습니다.</p>
<h2>성과지표: 연간 목표 대비 누계 실적 ({r.end.isoformat()}까지)</h2>
{"<table><tr><th>지표</th><th>연간 목표</th><th>누계 실적</th><th>달성률</th><th>출처</th></tr>" + kpis + "</table>"
 if kpis else "<p>이 기관의 이 해 목표가 등록되어 있지 않습니다.</p>"}
<p class="note">성과 합계는 보고 기간이 이 분기에 끝난 승인된 성과 보고를 신청마다 가장 나중 것 하나만 더한 값이며,
지원 효과(인과)를 뜻하지 않습니다. 지급액은 자금 원장의 지급일(가치일) 기준입니다.</p>
</body></html>"""


def pdf(r: AgencyQuarter) -> bytes:
    """The report as PDF with the Korean font embedded (WeasyPrint)."""
    from weasyprint import HTML

    out: bytes = HTML(string=html(r)).write_pdf()
    return out


def render(r: AgencyQuarter, fmt: str) -> bytes:
    if fmt == "xlsx":
        return xlsx(r)
    if fmt == "pdf":
        return pdf(r)
    raise DomainError(code="format", field="format", ko=f"형식은 xlsx 또는 pdf입니다: {fmt!r}",
                      en=f"The format is xlsx or pdf; got {fmt!r}.")
