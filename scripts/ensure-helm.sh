#!/usr/bin/env bash
# Makes sure a `helm` v4 binary built from its Go module (helm.sh/helm/v4) is cached outside the
# repository and prints its path on stdout. The first call builds it with `go install` (about a
# minute of downloads and several minutes of compiling on 2 cores); later calls find the cached
# binary and return at once. The chart tests (test/deploy/) and .ci/run call this.
#
#   HELM_VERSION   the helm.sh/helm/v4 module version (default below)
#   STREAMSPACE_CACHE  the cache root (default ~/.cache/streamspace)
set -euo pipefail

HELM_VERSION="${HELM_VERSION:-v4.3.2}"
CACHE_ROOT="${STREAMSPACE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamspace}"
DEST="$CACHE_ROOT/helm-$HELM_VERSION"
BIN="$DEST/helm"

if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

if ! command -v go >/dev/null; then
  echo "ensure-helm: Go is not installed; it is needed to build helm $HELM_VERSION from helm.sh/helm/v4" >&2
  exit 1
fi

mkdir -p "$DEST"
# One build at a time: concurrent test files may call this together.
exec 9>"$DEST.lock"
flock 9
if [[ -x "$BIN" ]]; then
  echo "$BIN"
  exit 0
fi

echo "ensure-helm: building helm $HELM_VERSION from helm.sh/helm/v4 (cached in $DEST)" >&2
tmp=$(mktemp -d "$DEST.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The version stamp makes `helm version` report the module version instead of a dev build.
GOFLAGS=-mod=mod GOBIN="$tmp" CGO_ENABLED=0 go install \
  -trimpath \
  -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2
mv "$tmp/helm" "$BIN"
"$BIN" version >&2
echo "$BIN"
