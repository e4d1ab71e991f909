#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (the web UI's Playwright tests drive it through
# playwright-core, which never downloads a browser of its own) and prints its path on stdout.
# .ci/run and the web test set-up (test/web/harness.ts) call this.
set -euo pipefail

find_chromium() {
  local bin
  for bin in /usr/bin/chromium /usr/bin/chromium-browser; do
    if [[ -x "$bin" ]]; then
      echo "$bin"
      return 0
    fi
  done
  return 1
}

if bin=$(find_chromium); then
  echo "$bin"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "ensure-chromium: Chromium is not installed and installing it needs root (apt-get install -y chromium)" >&2
  exit 1
fi

echo "ensure-chromium: installing Chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
apt-get install -y --no-install-recommends chromium fonts-dejavu-core >&2
find_chromium
