#!/usr/bin/env bash
# By-hand check of the HTML report (not run by CI): each page opens in headless
# Chromium without console messages or page errors, its DOM holds the charts,
# and a screenshot is left to look at.
#
# Usage: .ci/check-html.sh [--out DIR] REPORT.html|REPORT.json|RUN-FOLDER...
#   An .html file is checked as it is; JSON reports and run folders are first
#   rendered with `swift run flagstorm report --format html` (from the repository root).
#   Screenshots, DOM dumps and Chromium's stderr land in DIR (default /tmp/flagstorm-check-html).
#   WINDOW=1400,3000 sets the screenshot's size.
# Needs Debian's chromium: apt-get install -y chromium
set -euo pipefail
cd "$(dirname "$0")/.."

out=/tmp/flagstorm-check-html
inputs=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        *) inputs+=("$1"); shift ;;
    esac
done
if [ ${#inputs[@]} -eq 0 ]; then
    echo "usage: $0 [--out DIR] REPORT.html|REPORT.json|RUN-FOLDER..." >&2
    exit 64
fi
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "chromium not found: apt-get install -y chromium" >&2
    exit 69
fi
mkdir -p "$out"
window=${WINDOW:-1400,3000}

# Console messages and uncaught errors always count.
console='CONSOLE|Uncaught'
# Other trouble with the page (a resource it could not load, a blocked request)...
trouble='SyntaxError|ReferenceError|TypeError|Failed to load|net::ERR|Refused to|Not allowed to load|Unsafe attempt'
# ...unless it is Chromium's own noise on a headless VM (D-Bus, GPU, fonts, sandbox).
noise='dbus|D-Bus|gpu|GPU|GLES|EGL|vaapi|Fontconfig|fontconfig|zygote|crashpad|ALSA|udev|object_proxy|angle|ANGLE|Vulkan|MESA|libva|DevTools listening|component_updater|update_client|variations'

status=0
for input in "${inputs[@]}"; do
    name=$(basename "${input%/}")
    name=${name%.html}
    name=${name%.json}
    if [[ "$input" == *.html ]]; then
        page=$(realpath "$input")
    else
        page="$out/$name.html"
        swift run --quiet flagstorm report "$input" --format html > "$page"
    fi
    log="$out/$name.stderr.txt"
    "$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
        --window-size="$window" --screenshot="$out/$name.png" "file://$page" 2> "$log" > /dev/null || true
    "$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
        --dump-dom "file://$page" > "$out/$name.dom.html" 2>> "$log" || true
    problems=$( { grep -E "$console" "$log" || true; grep -E "$trouble" "$log" | grep -Ev "$noise" || true; } | awk '!seen[$0]++')
    charts=$( { grep -o '<svg ' "$out/$name.dom.html" || true; } | wc -l)
    if [ -n "$problems" ]; then
        echo "FAIL $page: the page logged:" >&2
        echo "$problems" >&2
        status=1
    elif [ "$charts" -eq 0 ] && ! grep -q 'No runs in this report' "$out/$name.dom.html" \
        && ! { grep -q 'FlagStorm plan:' "$out/$name.dom.html" && ! grep -q 'Over the sweep' "$out/$name.dom.html"; }; then
        # (A plan report without a sweep has tables only.)
        echo "FAIL $page: no <svg> chart in the rendered DOM ($out/$name.dom.html)" >&2
        status=1
    elif [ ! -s "$out/$name.png" ]; then
        echo "FAIL $page: no screenshot written (see $log)" >&2
        status=1
    else
        echo "ok   $page: $charts charts in the DOM, no console output; screenshot $out/$name.png"
    fi
done
exit $status
