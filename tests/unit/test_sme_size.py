from datetime import date

import pytest

from onestop.korea.sme_size import MEDIUM, NON_SME, SMALL, classify, table_on
from onestop.parameters import in_force, versions

EOK = 100_000_000
OLD = date(2024, 6, 30)
NEW = date(2026, 11, 23)


def size(ksic: str, avg: int, on: date, assets: int = 10 * EOK, employees: int = 20,
         group: bool = False):  # type: ignore[no-untyped-def]
    return classify(ksic=ksic, revenue_avg3=avg, total_assets=assets,
                    in_large_business_group=group, regular_employees=employees, on=on)


def test_two_versions_are_contiguous_and_named() -> None:
    vs = versions("sme_size")
    assert [v.version for v in vs] == ["2015", "2026"]
    assert vs[0].effective_to is not None
    assert (vs[1].effective_from - vs[0].effective_to).days == 1
    assert in_force("sme_size", date(2015, 1, 1)).version == "2015"
    assert in_force("sme_size", NEW).version == "2026"


def test_parameters_before_2015_are_refused() -> None:
    from onestop.errors import ParameterError

    with pytest.raises(ParameterError):
        in_force("sme_size", date(2010, 1, 1))


@pytest.mark.parametrize("ksic,old,new", [
    ("C17", 1500, 1800),  # pulp and paper: raised
    ("C24", 1500, 1800),  # basic metals: raised
    ("C10", 1000, 1200),  # food: raised
    ("C26", 1000, 1000),  # electronic components: unchanged
    ("G", 1000, 1200),    # wholesale and retail: raised
    ("I", 400, 400),      # accommodation and food: unchanged
    ("L", 400, 400),
    ("J", 800, 1000),     # information and communication: raised
])
def test_revenue_ceilings_by_version(ksic: str, old: int, new: int) -> None:
    assert table_on(OLD).ceilings[ksic] == old * EOK
    assert table_on(NEW).ceilings[ksic] == new * EOK


def test_food_maker_with_1100_eok_is_sme_only_under_2026_revision() -> None:
    before = size("C10602", 1100 * EOK, OLD)
    after = size("C10602", 1100 * EOK, NEW)
    assert before.size_class == NON_SME and before.parameters_version == "2015"
    assert after.size_class == MEDIUM and after.parameters_version == "2026"


def test_ceiling_is_inclusive() -> None:
    assert size("C26111", 1000 * EOK, NEW).size_class == MEDIUM
    assert size("C26111", 1000 * EOK + 1, NEW).size_class == NON_SME


def test_small_firm_band_and_micro_enterprise() -> None:
    small = size("C10602", 3 * EOK, NEW, employees=4)
    assert small.size_class == SMALL and small.is_micro_enterprise is True
    not_micro = size("C10602", 3 * EOK, NEW, employees=10)
    assert not_micro.is_micro_enterprise is False
    # Outside mining, manufacturing, construction and transport the limit is 5.
    shop = size("G47121", 3 * EOK, NEW, employees=5)
    assert shop.size_class == SMALL and shop.is_micro_enterprise is False


def test_asset_cap_and_large_group_exclude() -> None:
    assert size("C26111", 10 * EOK, NEW, assets=5000 * EOK).size_class == NON_SME
    samsung = size("C26111", 3_000_000 * EOK, NEW, assets=5_145_319 * EOK, group=True)
    assert samsung.size_class == NON_SME and samsung.is_sme is False
    assert "공시대상기업집단" in samsung.reasons[0].ko


def test_exception_subclass_beats_its_division() -> None:
    t = table_on(NEW)
    assert t.ceilings["C30393"] == 1500 * EOK
    assert size("C30393", 1400 * EOK, NEW).size_class == MEDIUM


def test_too_broad_code_leaves_size_unknown() -> None:
    r = size("C", 100 * EOK, NEW)
    assert r.size_class is None and r.is_sme is None
    assert r.reasons[0].code == "ksic_too_broad"


def test_missing_revenue_is_unknown_not_small() -> None:
    r = classify(ksic="C10602", revenue_avg3=None, total_assets=EOK,
                 in_large_business_group=False, regular_employees=3, on=NEW)
    assert r.size_class is None
