"""A program's annual report as XLSX (openpyxl, with a native bar chart) and PDF (WeasyPrint,
the KRDS web font Pretendard GOV embedded, the chart drawn as SVG), in Korean.

Contents: the program and its agency; KPI targets against actuals with their sources; firms
supported by 시도 (small-cell suppression as on the public page: the report is published);
outcome totals of the year's accepted reports."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from html import escape
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from onestop.catalog.loader import Catalog
from onestop.errors import DomainError
from onestop.korea import regions
from onestop.korea.money import format_won
from onestop.outcomes import dashboard, kpi
from onestop.outcomes.model import MEASURES, Kind, Measure
from onestop.outcomes.suppression import THRESHOLD, suppress_list

FONT_FILES = {400: "PretendardGOV-Regular.subset.woff2", 700: "PretendardGOV-Bold.subset.woff2"}


@dataclass
class ProgramReport:
    program_id: str
    name: str
    agency: str
    year: int
    made_on: date
    kpis: list[dict[str, Any]] = field(default_factory=list)
    #: (시도 name, firms or None when suppressed)
    by_sido: list[tuple[str, int | None]] = field(default_factory=list)
    total: int | None = 0
    #: (measure name with unit, total)
    outcomes: list[tuple[str, int]] = field(default_factory=list)


def build(db: Session, catalog: Catalog, program_id: str, year: int, today: date) -> ProgramReport:
    """The figures of one program's annual report; DomainError when the program is unknown."""
    program = catalog.get(program_id)
    agency = catalog.agencies.get(program.spec.agency)
    counts = sorted(dashboard.figures(db, dashboard.Filters(year, program_id)).by["sido"], key=lambda kv: kv[0])
    published, total = suppress_list([n for _, n in counts])
    report = ProgramReport(program_id, program.spec.name.ko, agency.name.ko if agency else program.spec.agency,
                           year, today, [kpi.as_dict(x) for x in kpi.progress(db, year, program_id)],
                           [(regions.name_of(k) if k in regions.table() else k, v)
                            for (k, _), v in zip(counts, published, strict=True)], total)
    plan = program.spec.outcomes
    for m in (plan.measures if plan else []):
        info = MEASURES[Measure(m)]
        if info.kind == Kind.certification:
            continue
        unit = {Kind.won: "원", Kind.usd: "달러", Kind.people: "명", Kind.items: "건"}[info.kind]
        label = info.ko if info.ko.endswith(")") else f"{info.ko} ({unit})"
        report.outcomes.append((label, kpi.outcome_total(db, program_id, year, m.value)))
    return report


def _cell(v: int | None) -> str:
    return "x" if v is None else f"{v:,}"


def xlsx(r: ProgramReport) -> bytes:
    """The report as an Excel workbook: 요약, 성과지표, 시도별 (with a bar chart)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "요약"
    for row in (("사업", r.name), ("기관", r.agency), ("연도", r.year), ("작성일", r.made_on.isoformat()),
                ("지원(집행) 기업 수", "x" if r.total is None else r.total)):
        ws.append(row)
    ws.append([])
    ws.append(["성과 (승인된 보고 합계)", "값"])
    for name, v in r.outcomes:
        ws.append([name, v])
    for c in ws["A"]:
        c.font = Font(bold=True)
    k = wb.create_sheet("성과지표")
    k.append(["지표", "단위", "목표", "실적", "달성률(%)", "기준(전년)", "출처"])
    for x in r.kpis:
        k.append([kpi.measure_name(x["measure"])[0], x["unit"], x["target"], x["actual"], x["percent"], x["baseline"], x["source"]])
    s = wb.create_sheet("시도별")
    s.append(["시도", "지원 기업 수"])
    for sido_name, count in r.by_sido:
        s.append([sido_name, "x" if count is None else count])
    s.append(["합계", "x" if r.total is None else r.total])
    s.append([])
    s.append([f"x: {THRESHOLD}개 미만이거나 합계로 계산될 수 있어 공개하지 않음"])
    if r.by_sido:
        chart = BarChart()
        chart.title = "시도별 지원 기업 수"
        chart.add_data(Reference(s, min_col=2, min_row=1, max_row=1 + len(r.by_sido)), titles_from_data=True)
        chart.set_categories(Reference(s, min_col=1, min_row=2, max_row=1 + len(r.by_sido)))
        s.add_chart(chart, "D2")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def svg_bars(items: list[tuple[str, int | None]]) -> str:
    shown = [(n, v) for n, v in items if v is not None]
    if not shown:
        return ""
    top = max(v for _, v in shown) or 1
    h = 24 * len(shown) + 10
    bars = []
    for i, (name, v) in enumerate(shown):
        w = int(340 * v / top)
        y = 5 + 24 * i
        bars.append(f'<text x="0" y="{y + 15}" font-size="11">{escape(name)}</text>'
                    f'<rect x="120" y="{y}" width="{w}" height="18" fill="#256ef4"/>'
                    f'<text x="{126 + w}" y="{y + 14}" font-size="11">{v:,}</text>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="500" height="{h}" role="img">{"".join(bars)}</svg>'


def font_faces() -> str:
    """@font-face rules for the KRDS font files shipped with the web app (embedded by WeasyPrint)."""
    fonts = resources.files("onestop.platform") / "static" / "vendor" / "krds" / "fonts"
    faces = "".join(
        f'@font-face {{ font-family: "Pretendard GOV"; font-weight: {w}; src: url("{(fonts / f)!s}"); }}'
        for w, f in FONT_FILES.items())
    return faces.replace('url("/', 'url("file:///')


def html(r: ProgramReport) -> str:
    faces = font_faces()
    kpis = "".join(
        f"<tr><td>{escape(kpi.measure_name(x['measure'])[0])}</td><td>{x['target']:,} {escape(x['unit'])}</td><td>{x['actual']:,}</td>"
        f"<td>{x['percent']}%</td><td class='src'>{escape(x['source'])}</td></tr>" for x in r.kpis)
    sidos = "".join(f"<tr><td>{escape(n)}</td><td>{_cell(v)}</td></tr>" for n, v in r.by_sido)
    outcomes = "".join(f"<tr><td>{escape(n)}</td><td>{v:,}</td></tr>" for n, v in r.outcomes)
    won = "".join(f"<p>{escape(n)}: {format_won(v)}</p>" for n, v in r.outcomes if "(원)" in n and v)
    return f"""<!doctype html><html lang="ko"><head><meta charset="utf-8"><style>
{faces}
@page {{ size: A4; margin: 18mm; @bottom-center {{ content: counter(page); font-size: 9pt; }} }}
body {{ font-family: "Pretendard GOV"; font-size: 10.5pt; color: #1e2124; }}
h1 {{ font-size: 18pt; font-weight: 700; margin: 0 0 4mm; }} h2 {{ font-size: 13pt; font-weight: 700; margin-top: 8mm; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 0.5pt solid #b1b8be; padding: 1.5mm 2mm; }}
th {{ background: #f4f5f6; text-align: left; }} .src {{ font-size: 8pt; color: #464c53; }} .note {{ font-size: 9pt; color: #464c53; }}
</style></head><body>
<h1>{escape(r.name)} {r.year}년 성과 보고서</h1>
<p>{escape(r.agency)} · 작성일 {r.made_on.isoformat()} · 지원(집행) 기업 {
    f"{r.total:,}개" if r.total is not None else f"{THRESHOLD}개 미만(비공개)"}</p>
<h2>성과지표: 목표 대비 실적</h2>
{"<table><tr><th>지표</th><th>목표</th><th>실적</th><th>달성률</th><th>출처</th></tr>" + kpis + "</table>" if kpis
 else "<p>이 해의 목표가 등록되어 있지 않습니다.</p>"}
<h2>시도별 지원 기업</h2>
{svg_bars(r.by_sido)}
{"<table><tr><th>시도</th><th>지원 기업 수</th></tr>" + sidos + "</table>" if sidos else "<p>지원 실적이 없습니다.</p>"}
<p class="note">x: {THRESHOLD}개 미만이거나 합계로 계산될 수 있어 공개하지 않습니다.</p>
<h2>성과 (승인된 성과 보고 합계)</h2>
{"<table><tr><th>항목</th><th>합계</th></tr>" + outcomes + "</table>" + won if outcomes
 else "<p>이 사업은 성과 항목을 정하지 않았습니다.</p>"}
<p class="note">성과 합계는 보고 기간이 이 해에 끝난 승인된 보고를 신청마다 가장 나중 것 하나만 더한 값입니다.
지원 효과(인과)를 뜻하지 않습니다.</p>
</body></html>"""


def pdf(r: ProgramReport) -> bytes:
    """The report as PDF with the Korean font embedded (WeasyPrint)."""
    from weasyprint import HTML

    out: bytes = HTML(string=html(r)).write_pdf()
    return out


def render(r: ProgramReport, fmt: str) -> bytes:
    if fmt == "xlsx":
        return xlsx(r)
    if fmt == "pdf":
        return pdf(r)
    raise DomainError(code="format", field="--format", ko=f"형식은 xlsx 또는 pdf입니다: {fmt!r}",
                      en=f"The format is xlsx or pdf; got {fmt!r}.")
