"""Every file a stylesheet points at is shipped (KRDS 1.1.0's component.css pointed its icons at
img/img/…, so select chevrons and check boxes 404ed)."""

from __future__ import annotations

import re
from pathlib import Path

import onestop.platform

STATIC = Path(onestop.platform.__file__).parent / "static"


def test_every_url_in_the_stylesheets_resolves() -> None:
    sheets = [*STATIC.glob("vendor/krds/css/**/*.css"), STATIC / "css" / "onestop.css"]
    checked = 0
    for sheet in sheets:
        for ref in set(re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", sheet.read_text(encoding="utf-8"))):
            if ref.startswith(("data:", "http:", "https:", "#")):
                continue
            target = (sheet.parent / ref.split("?")[0].split("#")[0]).resolve()
            assert target.is_file(), f"{sheet.name}: {ref} does not exist"
            checked += 1
    assert checked > 50


def test_pages_load_only_local_scripts() -> None:
    base = (Path(onestop.platform.__file__).parent / "templates" / "base.html").read_text(encoding="utf-8")
    assert re.findall(r'<script src="([^"]+)"', base) == ["/static/vendor/htmx/htmx.min.js", "/static/js/onestop.js"]
    assert '"includeIndicatorStyles": false' in base
