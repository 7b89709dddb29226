#!/usr/bin/env bash
# Set up reviewflow in a virtual environment at .venv (Python 3.11, no conda needed).
set -euo pipefail
cd "$(dirname "$0")"

python=${PYTHON:-}
if [ -z "$python" ]; then
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi
    done
fi
if [ -z "$python" ]; then
    echo "setup.sh: no python3.11 or python3 on PATH" >&2
    exit 1
fi

if [ ! -x .venv/bin/python ]; then
    if ! "$python" -m venv .venv; then
        # Debian splits venv/ensurepip into its own package.
        rm -rf .venv
        if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
            "$python" -m venv .venv
        else
            echo "setup.sh: '$python -m venv' failed; install your distribution's venv package (e.g. 'sudo apt-get install python3-venv')" >&2
            exit 1
        fi
    fi
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

# Headless Chromium is optional: it prints the report to PDF and lets the tests open the
# report and the screening app in a real browser (the app's tests drive it with Playwright
# for Python, installed above with the test extras, through the system binary: Playwright
# downloads no browser of its own). Installed with the system package manager when we may.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
            || echo "setup.sh: could not install chromium; the report PDF and browser tests are skipped" >&2
    else
        echo "setup.sh: chromium not found; install it (e.g. 'sudo apt-get install chromium') for the report PDF and browser tests" >&2
    fi
fi
echo "reviewflow is set up in .venv"
