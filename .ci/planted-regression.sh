#!/usr/bin/env bash
# By-hand check of the CI gate (not run by .ci/run: each variant is a separate
# release build of about four minutes): builds the core with a planted
# regression, runs the CI suite, compares it with the committed baselines, and
# expects `flagstorm compare` to exit 2 (regression) naming the metric.
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
# The run itself may fail its thresholds (exit 1 takes precedence over 2), so compare separately.
"$scratch/release/flagstorm" run --quiet --policy recommended --repeat 3 --format json --out "$out" > "$out/run.txt" 2>&1
"$scratch/release/flagstorm" compare Reports/baselines "$out/latest" > "$out/compare.txt" 2>&1
code=$?
grep -v 'within noise\|informational\|improved' "$out/compare.txt" | head -40
if [ "$code" -eq 2 ] && grep -q "regression .*$expect" "$out/compare.txt"; then
    echo "planted $variant: compare exit 2, regression named in $expect (as expected)"
    exit 0
fi
echo "planted $variant: compare exit $code, expected 2 with a regression in $expect; see $out/compare.txt" >&2
exit 1
