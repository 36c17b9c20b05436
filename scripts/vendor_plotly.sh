#!/usr/bin/env bash
# Refreshes frontend/vendor/plotly-cartesian.min.js: plotly.js's official "cartesian" partial bundle
# (bar, box, contour, heatmap, histogram, histogram2d(contour), image, pie, scatter, scatterternary,
# violin: every trace type the page draws) from the npm registry, with its MIT licence.
#   scripts/vendor_plotly.sh [VERSION]     (default: the version vendored now)
set -euo pipefail
VERSION=${1:-4.1.1}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "plotly.js-cartesian-dist-min@$VERSION" >/dev/null && tar xzf ./*.tgz)
cp "$tmp/package/plotly-cartesian.min.js" frontend/vendor/plotly-cartesian.min.js
cp "$tmp/package/LICENSE" frontend/vendor/plotly-LICENSE.txt
head -c 200 frontend/vendor/plotly-cartesian.min.js | grep -o 'plotly.js .* v[0-9.]*'
