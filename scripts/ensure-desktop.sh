#!/usr/bin/env bash
# Prepares the machine for the `streamspace-local` process runtime (issue 13): Debian's packages
# for the built-in Linux desktop (Xvfb, x11vnc, xterm, the twm window manager), the X socket folder,
# and — when the platform runs as root — the unprivileged `streamspace` user the runtime starts
# workspace processes as. Idempotent; `.ci/run` calls it, and the README's setup is this one command.
set -euo pipefail

PACKAGES=(xvfb x11vnc xterm twm)
BINARIES=(Xvfb x11vnc xterm twm)
USER_NAME=${STREAMSPACE_LOCAL_USER:-streamspace}

missing=()
for i in "${!BINARIES[@]}"; do
  command -v "${BINARIES[$i]}" >/dev/null || missing+=("${PACKAGES[$i]}")
done

if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "ensure-desktop: missing ${missing[*]}; installing needs root (sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  echo "ensure-desktop: installing ${missing[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

if [[ $(id -u) -eq 0 ]]; then
  # X servers of unprivileged users need the shared socket folder (root-owned, sticky).
  install -d -m 1777 /tmp/.X11-unix
  if ! id -u "$USER_NAME" >/dev/null 2>&1; then
    echo "ensure-desktop: creating the unprivileged user $USER_NAME" >&2
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$USER_NAME"
  fi
fi
