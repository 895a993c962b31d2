"""Names for codes, as pages show them: a KSIC code with its industry, a region code with its
place, a size class, a role, a document kind — never the bare code or an enum value.

English names: agencies from the catalog's agency table; categories, support types, roles,
size classes and application states from the message catalog; industries and places from their
publishers' English tables (Statistics Korea's KSIC-11 titles and English 시군구 names; the 시도
in ``korea.regions.SIDO_EN``; see data/reference/SOURCE.md). Where a table has no English name
for a code (an industry group without its own English title, a district created after the table),
the Korean name is shown beside the code or the province, so a page still names the place or the
industry rather than showing a bare code.
"""

from __future__ import annotations

from typing import Any

from onestop.catalog.model import CATEGORY_NAMES, SUPPORT_NAMES
from onestop.firms.model import CERTIFICATION_NAMES
from onestop.korea import ksic, regions
from onestop.korea.regions import SIDO_EN
from onestop.korea.sme_size import SIZE_CLASS_NAMES
from onestop.platform.i18n import Lang

SIZE_NAMES = SIZE_CLASS_NAMES
ROLE_NAMES: dict[str, tuple[str, str]] = {
    "firm_member": ("기업 회원", "Firm member"),
    "officer": ("기관 담당자", "Agency officer"),
    "evaluator": ("평가위원", "Evaluator"),
    "expert": ("자문위원", "Advisory expert"),
    "admin": ("플랫폼 관리자", "Platform administrator"),
    "seeker": ("구직자", "Job seeker"),
    "owner": ("대표(소유자)", "Owner"),
    "staff": ("직원", "Staff"),
}
MIME_NAMES: dict[str, str] = {
    "application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "application/x-hwp": "HWP",
    "application/hwp+zip": "HWPX", "application/haansofthwpx": "HWPX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
}


def _pick(names: tuple[str, str], lang: Lang) -> str:
    return names[0] if lang == "ko" else names[1]


class Show:
    """Display names in one language; templates get one as ``show``."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def ksic(self, code: str | None) -> str:
        """"빵류 제조업 (C10602)", in English "Manufacture of bakery products (C10602)"; an unknown
        code is shown as given."""
        if not code:
            return ""
        entry = ksic.table().get(code)
        return f"{entry.name(self.lang)} ({code})" if entry else code

    def region(self, code: str | None) -> str:
        """"전남광주통합특별시 순천시"; in English "Suncheon-si, Jeonnam-Gwangju Integrated Special
        City"."""
        if not code:
            return ""
        entry = regions.table().get(code)
        if entry is None:
            return code
        return regions.name_en(code) if self.lang == "en" else entry.name_full

    def place(self, region: object) -> str:
        """A 시군구's own name in the page's language, for a list under its province ("순천시" /
        "Suncheon-si")."""
        code = str(getattr(region, "code", region))
        entry = regions.table().get(code)
        if entry is None:
            return code
        english = regions.english_name(code) if self.lang == "en" else None
        return english or entry.name_ko

    def sido(self, code: str) -> str:
        entry = regions.table().get(code[:2])
        if entry is None:
            return code
        return SIDO_EN.get(code[:2], entry.name_ko) if self.lang == "en" else entry.name_ko

    def industry(self, entry: object) -> str:
        """A KSIC entry's title in the page's language (Korean where no English title is
        published)."""
        found = ksic.table().get(str(getattr(entry, "code", entry)))
        return found.name(self.lang) if found else str(getattr(entry, "code", entry))

    def size(self, size_class: str | None) -> str:
        if not size_class:
            return _pick(("확인 불가", "unknown"), self.lang)
        return _pick(SIZE_NAMES.get(size_class, (size_class, size_class)), self.lang)

    def role(self, role: Any) -> str:
        key = getattr(role, "value", role)
        return _pick(ROLE_NAMES.get(str(key), (str(key), str(key))), self.lang)

    def category(self, value: Any) -> str:
        key = getattr(value, "value", value)
        return _pick(CATEGORY_NAMES.get(str(key), (str(key), str(key))), self.lang)

    def support(self, value: Any) -> str:
        key = getattr(value, "value", value)
        return _pick(SUPPORT_NAMES.get(str(key), (str(key), str(key))), self.lang)

    def certification(self, value: str) -> str:
        return _pick(CERTIFICATION_NAMES.get(value, (value, value)), self.lang)

    def mime(self, content_type: str) -> str:
        return MIME_NAMES.get(content_type, content_type.split("/")[-1].upper())

    def weekday(self, value: Any) -> str:
        """The day of the week of a time, in Korea: "월" / "Mon"."""
        from onestop.korea.dates import KST

        day = value.astimezone(KST).weekday()
        return ("월화수목금토일"[day]) if self.lang == "ko" else ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[day]

    def note(self, text: str | None) -> str:
        """A version's note in the page's language: the notes the system writes carry both
        ("공고 반영: … / follows the notice: …", "카탈로그 가져오기 / catalog import"); a note an
        officer wrote is shown as written."""
        text = text or ""
        for ko_head, en_head in (("공고 반영: ", " / follows the notice: "), ("카탈로그 가져오기", " / catalog import")):
            if text.startswith(ko_head) and en_head in text:
                ko, en = text.split(en_head, 1)
                return ko if self.lang == "ko" else en_head.removeprefix(" / ") + en
        return text

    def bytes(self, size: int) -> str:
        """"1.2 MB", "830 KB", "12 B"."""
        if size >= 1024 * 1024:
            return f"{size / 1024 / 1024:.1f} MB"
        if size >= 1024:
            return f"{size / 1024:.0f} KB"
        return f"{size} B"
