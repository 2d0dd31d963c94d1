#!/usr/bin/env bash
# Debian's Chromium (plus ChromeDriver for anyone using Selenium) and a CJK font for the
# browser tests; never a browser download. Without a CJK font the screenshots show tofu.
# Also wrk, the HTTP load generator of tests/test_load.py and bench/.
set -euo pipefail
PACKAGES="chromium chromium-driver fonts-wqy-microhei wrk"
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v chromedriver >/dev/null 2>&1 || missing="$missing chromium-driver"
fc-list 2>/dev/null | grep -qi "wqy" || missing="$missing fonts-wqy-microhei"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages:$missing (install them as root: apt-get install $PACKAGES)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
