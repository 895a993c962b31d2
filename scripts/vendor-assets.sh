#!/usr/bin/env bash
# Re-vendor the front-end assets from the npm registry into the package's static folder.
# The result is committed: the app works offline and installs nothing from npm at run time.
set -euo pipefail
KRDS=1.1.0
HTMX=2.0.11
CHART=4.5.1
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/src/onestop/platform/static/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "krds-uiux@$KRDS" "htmx.org@$HTMX" "chart.js@$CHART" >/dev/null
for t in *.tgz; do mkdir -p "${t%.tgz}"; tar xzf "$t" -C "${t%.tgz}"; done
rm -rf "$dest"; mkdir -p "$dest/krds/css" "$dest/krds/img" "$dest/krds/fonts" "$dest/krds/js" "$dest/htmx" "$dest/chartjs"
k="krds-uiux-$KRDS/package/resources"
cp -r "$k/css/common" "$k/css/component" "$k/css/token" "$dest/krds/css/"
rm -f "$dest"/krds/css/*/*.map "$dest/krds/css/component/output.css"
# krds-uiux 1.1.0's component.css points its icons at ../../img/img/component/… — one "img/"
# too many (the package ships resources/img/component/…), so every icon, select chevron and
# check box image 404s. Point them at the files the package ships.
sed -i 's#\.\./\.\./img/img/component/#../../img/component/#g' "$dest/krds/css/component/component.css"
cp -r "$k/img/component" "$dest/krds/img/"
cp "$k"/fonts/PretendardGOV-*.subset.woff2 "$dest/krds/fonts/"
cp -r "$k/js/component" "$dest/krds/js/"
cp "krds-uiux-$KRDS/package/package.json" "$dest/krds/package.json"
cp "htmx.org-$HTMX/package/dist/htmx.min.js" "htmx.org-$HTMX/package/LICENSE" "$dest/htmx/"
cp "chart.js-$CHART/package/dist/chart.umd.min.js" "chart.js-$CHART/package/LICENSE.md" "$dest/chartjs/" 2>/dev/null \
  || cp "chart.js-$CHART/package/dist/chart.umd.js" "chart.js-$CHART/package/LICENSE.md" "$dest/chartjs/"
cat > "$dest/krds/LICENSE" <<'LIC'
krds-uiux (KRDS, Korea Responsive Design System) — npm package krds-uiux, licence: ISC
(declared in package.json), by the KRDS team of the Ministry of the Interior and Safety.

ISC License
Permission to use, copy, modify, and/or distribute this software for any purpose with or
without fee is hereby granted, provided that the above copyright notice and this permission
notice appear in all copies.
THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL
THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY
DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF
CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE
OR PERFORMANCE OF THIS SOFTWARE.

The fonts in fonts/ are Pretendard GOV subsets shipped in the same package (Pretendard is
licensed under the SIL Open Font License 1.1).
LIC
echo "vendored krds-uiux $KRDS, htmx.org $HTMX, chart.js $CHART into $dest"
