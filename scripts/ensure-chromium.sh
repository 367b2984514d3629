#!/bin/sh
# Make sure headless Chromium and its WebDriver (Debian packages chromium, chromium-driver) are installed,
# for the real-browser test of the reports (tests/test_report_browser.py).
# Idempotent: does nothing when /usr/bin/chromium and /usr/bin/chromedriver exist. Never fails the build:
# where apt is unavailable (not Debian, not root, no network) it says so and the browser tests skip.
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-chromium: apt-get not available; the browser tests will be skipped" >&2
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "ensure-chromium: not root and no password-less sudo; the browser tests will be skipped" >&2
        exit 0
    fi
fi
echo "ensure-chromium: installing chromium and chromium-driver with apt-get" >&2
if ! { $SUDO apt-get update -q >/dev/null && \
       DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium chromium-driver >/dev/null; }; then
    echo "ensure-chromium: installation failed; the browser tests will be skipped" >&2
fi
exit 0
