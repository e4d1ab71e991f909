#!/usr/bin/env bash
# Installs Debian's Chromium for the gateway's browser test (playwright-core drives it through
# /usr/bin/chromium; no browser is downloaded from elsewhere). Idempotent; `.ci/run` and the
# test's set-up call it.
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "ensure-chromium: chromium is missing; installing needs root (sudo apt-get install -y chromium)" >&2
  exit 1
fi
echo "ensure-chromium: installing chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
apt-get install -y --no-install-recommends chromium >&2
