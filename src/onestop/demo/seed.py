"""Seed the demo: accounts of every role, the scenario firms (owned by demo users) and a registry
of realistic firms. Idempotent: running it twice changes nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onestop.accounts import consents
from onestop.accounts import services as accounts
from onestop.accounts.model import FirmRole, Role
from onestop.accounts.tables import UserRow
from onestop.demo.firms import generate
from onestop.firms.model import parse_firm
from onestop.firms.tables import FirmRow
from onestop.korea._data import data_path

PASSWORD = "onestop-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    agency_id: str | None = None
    firms: tuple[str, ...] = ()


ACCOUNTS = (
    DemoAccount("admin@onestop.demo", "플랫폼 관리자", Role.admin),
    DemoAccount("officer.kosmes@onestop.demo", "중진공 담당자", Role.officer, "kosmes"),
    DemoAccount("officer.jeonnam@onestop.demo", "전남 진흥원 담당자", Role.officer, "jnsbi"),
    DemoAccount("evaluator@onestop.demo", "평가위원", Role.evaluator),
    # the evaluation committee of journey 8 (with evaluator@onestop.demo); the fourth once
    # advised the applying firm and declares it
    DemoAccount("evaluator2@onestop.demo", "정수출 (수출 전문위원)", Role.evaluator),
    DemoAccount("evaluator3@onestop.demo", "한경영 (경영지도사)", Role.evaluator),
    DemoAccount("evaluator4@onestop.demo", "오기술 (기술 자문위원)", Role.evaluator),
    DemoAccount("officer.kotra@onestop.demo", "KOTRA 담당자", Role.officer, "kotra"),
    DemoAccount("founder@onestop.demo", "김청년 (순천바른빵)", Role.firm_member, firms=("young-founder",)),
    DemoAccount("exporter@onestop.demo", "박수출 (창원정밀기계)", Role.firm_member,
                firms=("exporter", "smart-factory")),
    DemoAccount("crisis@onestop.demo", "이위기 (대성금속)", Role.firm_member, firms=("crisis",)),
    DemoAccount("seoul@onestop.demo", "최이전 (코드브릿지)", Role.firm_member, firms=("seoul-software", "lessor")),
    DemoAccount("prospective@onestop.demo", "김하늘 (예비창업)", Role.firm_member, firms=("prospective-founder",)),
    # issue 12: the 50-year-old job seeker in 순천 (jobs.demo gives her profile and the postings)
    DemoAccount("seeker@onestop.demo", "정순천 (신중년 구직자)", Role.seeker),
    # issue 12 item 5: the FKI SME center's officer who runs its Re-Bounce course and counsels (jobs.demo)
    DemoAccount("officer.fki@onestop.demo", "전경련센터 담당자", Role.officer, "fki-sme"),
    # the idle-asset marketplace's large company (fictional), which lists an instrument, a patent and space
    DemoAccount("owner.large@onestop.demo", "정자산 (대한정밀중공업)", Role.firm_member, firms=("large-company",)),
    # issue 13: two advisers of the management advisory corps (advisory.demo gives their routing profiles)
    DemoAccount("expert@onestop.demo", "강해외 (수출 자문위원)", Role.expert),
    DemoAccount("expert2@onestop.demo", "윤경영 (경영·기술 자문위원)", Role.expert),
)


def scenario(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(data_path("demo", f"{name}.json").read_text(encoding="utf-8"))
    return data


def _add_firm(db: Session, data: dict[str, Any]) -> FirmRow:
    firm = parse_firm(data)
    # a prospective founder has no BRN yet: the demo's is known by its name
    same = FirmRow.brn == firm.brn if firm.brn is not None else (FirmRow.brn.is_(None) & (FirmRow.name == firm.name))
    existing = db.scalar(select(FirmRow).where(same))
    if existing is not None:
        return existing
    row = FirmRow(brn=firm.brn, name=firm.name, ksic=firm.ksic, region=firm.region,
                  profile=firm.model_dump(mode="json", exclude_none=True))
    db.add(row)
    db.flush()
    return row


def seed(db: Session, registry_size: int = 300) -> dict[str, int]:
    created_users = 0
    for acc in ACCOUNTS:
        user = db.scalar(select(UserRow).where(UserRow.email == acc.email))
        if user is None:
            user = accounts.create_account(db, email=acc.email, password=PASSWORD, name=acc.name, role=acc.role,
                                           agency_id=acc.agency_id, confirmed=True)
            if acc.role in (Role.firm_member, Role.seeker):  # as if they had signed up: the required items agreed to
                consents.record(db, user.id, {i.id: i.current for i in consents.items() if i.required})
            created_users += 1
            for name in acc.firms:
                row = _add_firm(db, scenario(name))
                accounts.add_member(db, user.id, row.id, FirmRole.owner)
    before = db.scalar(select(FirmRow.id).order_by(FirmRow.id.desc()).limit(1)) or 0
    for data in generate(registry_size):
        _add_firm(db, data)
    after = db.scalar(select(FirmRow.id).order_by(FirmRow.id.desc()).limit(1)) or 0
    from onestop.jobs.demo import seed_jobs

    seed_jobs(db)

    from onestop.marketplace import demo as marketplace_demo

    marketplace_demo.seed(db)

    from onestop.advisory import demo as advisory_demo

    advisory_demo.seed(db)
    return {"users": created_users, "firms": after - before}


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF standing in for a scanned statement (ASCII text only: the
    demo must not need a PDF library)."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def seed_applications(db: Session, store: Any, engine: Any, revision: int) -> int:
    """Journey 3 under way, so the officers' queue is not empty on a fresh `make run`: 대성금속
    has applied for the emergency fund with its statements (submitted), and 순천바른빵 has a
    draft for the 전남 육성자금 with its business plan uploaded; 창원정밀기계 has applied for
    수출바우처 (submitted; journey 8's committee takes it up); and registry firms have a history
    of support executed in 2025–2026 with outcome reports (`outcomes.demo`). Idempotent (keys)."""
    from onestop.accounts.model import Principal
    from onestop.applications import services as applications

    made = 0
    plans = [("crisis@onestop.demo", "crisis", "kosmes-emergency-fund", True),
             ("founder@onestop.demo", "young-founder", "jeonnam-sme-development-fund", False),
             ("exporter@onestop.demo", "exporter", "motie-export-voucher", True)]
    for email, firm_name, program_id, submit in plans:
        user = db.scalar(select(UserRow).where(UserRow.email == email))
        firm = db.scalar(select(FirmRow).where(FirmRow.brn == scenario(firm_name)["brn"]))
        if user is None or firm is None:
            continue
        who = Principal(user.id, user.email, user.name, Role.firm_member, None, {firm.id: FirmRole.owner})
        row, created = applications.create(db, who, engine, firm.id, program_id, f"demo-{program_id}")
        if not created:
            continue
        program = engine.catalog.get(program_id)
        for kind, _ko, en in applications.required_documents(program):
            applications.upload(db, who, store, engine, row.id, kind, f"{kind}.pdf", demo_pdf(f"{en} - BRN {firm.brn}"))
        if submit:
            _demo_statements(db, firm.id, firm_name)  # so the officer sees a score beside the rule checks
            applications.submit(db, who, engine, revision, row.id, None)
        made += 1
    seed_committee(db, engine)
    from onestop.outcomes import demo as outcomes_demo

    made += outcomes_demo.seed(db, engine, revision, store)  # a history of support for the outcome pages
    return made


def _demo_statements(db: Session, firm_id: int, name: str) -> None:
    """The firm's statements from `data/demo/statements/<name>.json`, when it has none yet."""
    import json

    from onestop.evaluation import services as evaluation
    from onestop.korea._data import data_path

    path = data_path("demo", "statements", f"{name}.json")
    if path.is_file() and evaluation.latest_statements(db, firm_id) is None:
        evaluation.seed_statements(db, firm_id, json.loads(path.read_text(encoding="utf-8"))["statements"])


#: journey 8's committee: organisations shown to the officer who assigns them
EVALUATOR_ORGANISATIONS = {
    "evaluator@onestop.demo": "한국무역협회 수출전문위원",
    "evaluator2@onestop.demo": "○○대학교 국제통상학과",
    "evaluator3@onestop.demo": "경영지도사 (수출 마케팅)",
    "evaluator4@onestop.demo": "기계산업 기술 자문위원",
}


def seed_committee(db: Session, engine: Any) -> None:
    """Journey 8 ready to walk: 창원정밀기계's 수출바우처 application is in evaluation at KOTRA
    with a committee of four evaluators assigned (one will declare a conflict, three score);
    and journey 3's emergency-fund application is on the fast track with the credit model's band
    (entered as an officer would when no model file is installed). Idempotent."""
    from onestop.accounts.model import Principal
    from onestop.applications import services as applications
    from onestop.applications.tables import ApplicationRow
    from onestop.evaluation import committee_services as committees
    from onestop.evaluation import fasttrack_services as fasttrack
    from onestop.evaluation.committee_tables import EvaluatorProfileRow
    from onestop.evaluation.fasttrack import Band

    def user(email: str) -> UserRow | None:
        return db.scalar(select(UserRow).where(UserRow.email == email))

    for email, organisation in EVALUATOR_ORGANISATIONS.items():
        u = user(email)
        if u is not None and db.get(EvaluatorProfileRow, u.id) is None:
            db.add(EvaluatorProfileRow(user_id=u.id, organisation=organisation))
    db.flush()
    officer, exporter = user("officer.kotra@onestop.demo"), scenario("exporter")
    firm = db.scalar(select(FirmRow).where(FirmRow.brn == exporter["brn"]))
    if officer is not None and firm is not None:
        row = db.scalar(select(ApplicationRow).where(ApplicationRow.firm_id == firm.id,
                                                     ApplicationRow.program_id == "motie-export-voucher"))
        if row is not None and row.state == "submitted":
            who = Principal(officer.id, officer.email, officer.name, Role.officer, officer.agency_id, {})
            for action in ("start_check", "documents_ok"):
                applications.act(db, who, row.id, action, None)
            for email in EVALUATOR_ORGANISATIONS:
                evaluator = user(email)
                if evaluator is not None:
                    committees.assign(db, who, engine, row.id, evaluator.id)
    crisis = db.scalar(select(FirmRow).where(FirmRow.brn == scenario("crisis")["brn"]))
    if crisis is not None:
        app_id = db.scalar(select(ApplicationRow.id).where(ApplicationRow.firm_id == crisis.id,
                                                           ApplicationRow.program_id == "kosmes-emergency-fund"))
        if app_id is not None and fasttrack.entry_of(db, app_id) is None:
            fasttrack.check(db, engine)  # the credit model's band (A for 대성금속's statements)
            if fasttrack.entry_of(db, app_id) is None:  # no model file: as an officer would
                fasttrack.enter(db, engine, app_id, Band.A, "demo: band entered by the officer")
