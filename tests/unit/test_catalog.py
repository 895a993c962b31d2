"""The shipped catalog loads, has the programs the seeds name, and the loader refuses bad files."""

from pathlib import Path

import pytest

from onestop.catalog.loader import load_catalog, shipped_catalog
from onestop.errors import CatalogError

REQUIRED = [
    "kosmes-startup-fund", "kosmes-youth-startup-fund", "kosmes-domestic-to-export-fund",
    "kosmes-export-globalization-fund", "kosmes-new-growth-fund", "kosmes-restart-fund",
    "kosmes-emergency-fund", "kosmes-export-commercialization-fund", "kosmes-tomorrow-fill-deduction",
    "moel-youth-tomorrow-fill-deduction", "mss-smart-factory-build", "kosmes-youth-startup-academy",
    "motie-export-voucher", "mss-global-1000-project", "motie-world-class-plus",
    "jeonnam-sme-development-fund", "jnsbi-fta-center", "fki-management-doctor", "fki-rebounce",
    "fki-idle-asset-marketplace",
]


def test_shipped_catalog_has_at_least_40_real_programs_with_sources() -> None:
    cat = shipped_catalog()
    assert len(cat) >= 40
    for pid in REQUIRED:
        assert pid in cat.programs, pid
    for p in cat:
        assert p.spec.source.title and p.spec.source.publisher
        assert p.spec.agency in cat.agencies


def test_every_category_is_used() -> None:
    cats = {p.spec.category.value for p in shipped_catalog()}
    assert cats == {"funds", "export", "smart_factory", "training", "consulting", "startup", "jobs",
                    "regional", "marketplace"}


def test_policy_funds_use_the_exclusion_rule() -> None:
    cat = shipped_catalog()
    from onestop.rules.syntax import leaves

    for p in cat:
        if p.id.startswith("kosmes-") and p.spec.category.value == "funds" and p.spec.support_type.value == "loan":
            assert any(leaf.shared_rule == "policy-fund-excluded-industries" for leaf in leaves(p.rule)), p.id


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


PROGRAM = """
id: test-fund
name: {ko: 시험자금, en: Test fund}
agency: kosmes
category: funds
support_type: loan
summary: {ko: 시험, en: test}
application_window: {always_open: true}
eligibility: ELIG
source: {title: t, publisher: p, date: 2026-01-01}
"""


def test_loader_reports_every_bad_file_with_its_name(tmp_path: Path) -> None:
    write(tmp_path, "agencies.yaml", "- {id: kosmes, name: {ko: 중진공, en: KOSMES}}\n")
    write(tmp_path, "programs/test-fund.yaml",
          PROGRAM.replace("ELIG", "{fact: ceo_agee, op: '<=', value: 39}"))
    write(tmp_path, "programs/other.yaml",
          PROGRAM.replace("test-fund", "other").replace("ELIG", "{fact: ceo_age, op: '<=', value: 39}")
          .replace("category: funds", "category: lottery"))
    with pytest.raises(CatalogError) as e:
        load_catalog(tmp_path)
    fields = [p.field for p in e.value.problems]
    assert any("programs/test-fund.yaml" in f for f in fields)
    assert any("programs/other.yaml" in f and "category" in f for f in fields)


def test_unknown_link_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "programs/test-fund.yaml",
          PROGRAM.replace("ELIG", "{fact: ceo_age, op: '<=', value: 39}")
          + "links: {follows: [no-such-program]}\n")
    with pytest.raises(CatalogError) as e:
        load_catalog(tmp_path)
    assert "no-such-program" in e.value.problems[0].en


def test_criterion_labels_state_what_a_firm_meets_not_a_restriction() -> None:
    """A label is read as the condition to meet ("'…' 조건을 충족하면 신청할 수 있습니다"): a
    restriction belongs in `excludes` (worded "… 아님"). Found by a new user: "'내수기업(수출실적
    전무) 신청 제한' 조건을 충족하면 신청할 수 있습니다" read backwards."""
    from onestop.catalog.loader import shipped_catalog
    from onestop.rules.syntax import leaves

    backwards = []
    for p in shipped_catalog().programs.values():
        for leaf in leaves(p.rule):
            if leaf.exclusion or not leaf.label_ko:
                continue
            if leaf.label_ko.rstrip().endswith(("제한", "제외", "불가")) or leaf.label_en.rstrip(". ").endswith(
                    ("cannot apply", "excluded", "not eligible")):
                backwards.append((p.id, leaf.label_ko, leaf.label_en))
    assert backwards == []
