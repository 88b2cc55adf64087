#!/usr/bin/env bash
# The console's browser tests (and its bench section) drive Debian's chromium headless through
# playwright-core. Installs it when missing; fails loudly, saying what to do, when it cannot.
# Called by .ci/run and by the console test's setup. CHROMIUM_PATH overrides where it is.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "install-chromium: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "install-chromium: chromium is not installed at $CHROMIUM and this user cannot install it." >&2
    echo "  Install Debian's package as root: apt-get update && apt-get install -y chromium" >&2
    echo "  (or point CHROMIUM_PATH at a Chromium or Chrome binary)." >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "install-chromium: no apt-get here; install a Chromium and set CHROMIUM_PATH to it." >&2
  exit 1
fi

echo "install-chromium: installing Debian's chromium package" >&2
if ! { $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium; } >&2; then
  echo "install-chromium: apt-get could not install chromium (offline? another apt running?)." >&2
  echo "  Run: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
[ -x "$CHROMIUM" ] || { echo "install-chromium: chromium installed but $CHROMIUM is missing" >&2; exit 1; }
