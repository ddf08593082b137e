#!/usr/bin/env bash
# By-hand check of the CI gate (not run by .ci/run: each variant is a separate
# release build of about four minutes): builds the core with a planted
# regression, runs the CI suite against the committed baselines, and expects
# `flagstorm` to exit 2 (regression) naming the metric.
#
#   bash .ci/planted-regression.sh double-fetch   # every fetch asks the server twice
#   bash .ci/planted-regression.sh hot-path-delay # every check spins about 20 µs
set -uo pipefail
cd "$(dirname "$0")/.."
variant="${1:-double-fetch}"
case "$variant" in
    double-fetch) flag=FLAGSTORM_PLANTED_DOUBLE_FETCH; expect='fetches.redundant' ;;
    hot-path-delay) flag=FLAGSTORM_PLANTED_HOT_PATH_DELAY; expect='latency.isEnabled.p50_ns' ;;
    *) echo "usage: $0 double-fetch|hot-path-delay" >&2; exit 64 ;;
esac
scratch=".build-planted-$variant"
swift build -c release --product flagstorm --scratch-path "$scratch" -Xswiftc "-D$flag" || exit 70
out="$(mktemp -d)"
"$scratch/release/flagstorm" run --quiet --policy recommended --format json --baseline Reports/baselines --out "$out" > "$out/log.txt" 2>&1
code=$?
sed -n '/REGRESSION in\|No regression/,$p' "$out/log.txt" | grep -v 'within noise\|informational' | head -30
if [ "$code" -eq 2 ] && grep -q "regression .*$expect" "$out/log.txt"; then
    echo "planted $variant: exit 2, regression named in $expect (as expected)"
    exit 0
fi
echo "planted $variant: exit $code, expected 2 with a regression in $expect; log: $out/log.txt" >&2
exit 1
