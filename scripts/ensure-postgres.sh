#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, pg_ctl, postgres) are installed, installing
# Debian's `postgresql` package when they are missing, and prints their folder on stdout.
# The API's PostgreSQL contract tests (test/support/postgres.ts) call this, then start a
# throwaway server of their own in a temp folder; CI can call it up front.
set -euo pipefail

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
      echo "$dir"
      return 0
    fi
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
    return 0
  fi
  return 1
}

if bindir=$(find_bindir); then
  echo "$bindir"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "ensure-postgres: PostgreSQL is not installed and installing it needs root (apt-get install -y postgresql)" >&2
  exit 1
fi

echo "ensure-postgres: installing PostgreSQL from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update >&2
apt-get install -y --no-install-recommends postgresql >&2
# The package starts a system cluster; the tests run their own, so it is not needed.
bindir=$(find_bindir)
echo "$bindir"
