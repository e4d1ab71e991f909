#!/bin/sh
# The repository init containers of a code-server session, in two steps run by two containers:
#
#   fetch     (has the Git credential, sees no user files): clones the repository, bare, into a
#             scratch folder only this pod has. The credential is answered by a credential helper
#             given with `git -c`, so it is never written to any config. When the server cannot
#             be reached or refuses, it leaves a marker instead of failing: a workspace already
#             cloned must still start (Gitea down, an expired token); the checkout step decides.
#   checkout  (has no credential, sees the user's home): clones from the scratch copy when the
#             workspace has no checkout yet, else fast-forwards the checked-out branch. The
#             workspace's .git/config, hooks and filters belong to the user; running them here is
#             harmless because this container holds no secret.
#
# Every input comes from the environment and is checked before use; nothing is ever pasted into
# a command string. The first argument is the step.
#   REPO_OWNER, REPO_NAME  Gitea owner and repository ([A-Za-z0-9_.-]+, not "." or "..", no leading "-")
#   CLONE_URL              http(s) URL without credentials
#   GIT_REF                optional branch, tag or commit to check out on the first clone
#   SCRATCH_DIR            the pod's scratch folder shared by both steps
#   WORKSPACE_ROOT         checkout: the repository goes to $WORKSPACE_ROOT/$REPO_OWNER/$REPO_NAME
#   HOME_DIR               checkout: optional folder whose size is reported (the home volume)
#   GIT_USERNAME, GIT_TOKEN fetch: optional credential
#   GIT_CREDENTIAL_URL     fetch: the configured Git server; the credential goes to its protocol and host only
#   TERMINATION_LOG        checkout: where the JSON report goes (default /dev/termination-log)
set -eu

STEP="${1:-}"
LOG_PREFIX="repository ${STEP:-?}:"

fail() {
  echo "$LOG_PREFIX $*" >&2
  exit 2
}

say() {
  echo "$LOG_PREFIX $*"
}

# Gitea's rules for user and repository names.
valid_name() {
  case "$1" in
    '' | . | .. | -*) return 1 ;;
    *[!A-Za-z0-9_.-]*) return 1 ;;
  esac
  return 0
}

valid_ref() {
  case "$1" in
    '' | -* | /* | */ | *..* | *//*) return 1 ;;
    *[!A-Za-z0-9_./-]*) return 1 ;;
  esac
  return 0
}

valid_url() {
  case "$1" in
    http://* | https://*) ;;
    *) return 1 ;;
  esac
  case "$1" in
    *[![:graph:]]*) return 1 ;;
  esac
  rest="${1#*://}"
  authority="${rest%%/*}"
  case "$authority" in
    '' | *@*) return 1 ;;
  esac
  return 0
}

check_inputs() {
  valid_name "${REPO_OWNER:-}" || fail "REPO_OWNER is not a valid owner name"
  valid_name "${REPO_NAME:-}" || fail "REPO_NAME is not a valid repository name"
  valid_url "${CLONE_URL:-}" || fail "CLONE_URL must be an http(s) URL without credentials, spaces or control characters"
  if [ -n "${GIT_REF:-}" ]; then
    valid_ref "$GIT_REF" || fail "GIT_REF is not a valid branch, tag or commit"
  fi
  case "${SCRATCH_DIR:-}" in
    /*) ;;
    *) fail "SCRATCH_DIR must be an absolute path" ;;
  esac
}

# No prompts, no system or global config, nothing from the image's HOME.
export GIT_TERMINAL_PROMPT=0 GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
SCRATCH_REPO="${SCRATCH_DIR:-/nonexistent}/repository.git"
FETCH_FAILED="${SCRATCH_DIR:-/nonexistent}/fetch-failed"

# The credential belongs to the configured Git server (GIT_CREDENTIAL_URL, e.g. https://gitea.example.com)
# and to nothing else: not to a clone URL the user chose, not to a host a redirect leads to. Git
# tells the helper the protocol and host it wants a credential for; the helper answers only when
# both are the configured server's. Without GIT_CREDENTIAL_URL no credential is ever sent.
CREDENTIAL_PROTOCOL="${GIT_CREDENTIAL_URL:-}"
CREDENTIAL_PROTOCOL="${CREDENTIAL_PROTOCOL%%://*}"
CREDENTIAL_HOST="${GIT_CREDENTIAL_URL:-}"
CREDENTIAL_HOST="${CREDENTIAL_HOST#*://}"
CREDENTIAL_HOST="${CREDENTIAL_HOST%%/*}"
export CREDENTIAL_PROTOCOL CREDENTIAL_HOST
# The helper prints the credential from the environment when Git asks for one ("get") for that host.
# shellcheck disable=SC2016 # expanded by the helper's shell, at the time Git calls it
CREDENTIAL_HELPER='!f() { test "$1" = get || exit 0; test -n "${GIT_TOKEN:-}" || exit 0; test -n "${GIT_CREDENTIAL_URL:-}" || exit 0; p=; h=; while IFS="=" read -r k v; do case "$k" in protocol) p="$v" ;; host) h="$v" ;; esac; done; test "$p" = "$CREDENTIAL_PROTOCOL" && test "$h" = "$CREDENTIAL_HOST" || exit 0; echo "username=${GIT_USERNAME:-oauth2}"; echo "password=${GIT_TOKEN}"; }; f'

fetch_step() {
  # A fresh bare clone every time: nothing left in the scratch folder is trusted.
  rm -rf "$SCRATCH_REPO" "$FETCH_FAILED"
  say "fetching $REPO_OWNER/$REPO_NAME"
  if ! git -c credential.helper= -c "credential.helper=$CREDENTIAL_HELPER" \
    -c protocol.allow=never -c protocol.http.allow=always -c protocol.https.allow=always \
    clone --quiet --bare -- "$CLONE_URL" "$SCRATCH_REPO"; then
    rm -rf "$SCRATCH_REPO"
    : >"$FETCH_FAILED"
    echo "$LOG_PREFIX could not fetch $CLONE_URL" >&2
    return 0
  fi
  say "fetched $(git --git-dir="$SCRATCH_REPO" rev-parse --verify --quiet HEAD || echo 'an empty repository')"
}

# Git as run on the user's checkout: the credential helpers and hooks are switched off.
user_git() {
  git -c credential.helper= -c core.hooksPath=/dev/null -c core.fsmonitor=false \
    -c protocol.allow=never -c protocol.file.allow=always -C "$DEST" "$@"
}

report() {
  action="$1"
  message="$2"
  commit="$(user_git rev-parse --verify --quiet HEAD 2>/dev/null || true)"
  case "$commit" in
    *[!0-9a-f]*) commit='' ;;
  esac
  used=''
  if [ -n "${HOME_DIR:-}" ]; then
    used="$(du -sk "$HOME_DIR" 2>/dev/null | cut -f1 || true)"
  fi
  case "$used" in
    '' | *[!0-9]*) used='null' ;;
    *) used=$((used * 1024)) ;;
  esac
  # Only fixed words, hex and digits go into the report, so it is valid JSON as written.
  printf '{"action":"%s","commit":"%s","usedBytes":%s,"message":"%s"}\n' "$action" "$commit" "$used" "$message" >"${TERMINATION_LOG:-/dev/termination-log}" || true
  say "$action${message:+: $message}"
}

first_clone() {
  if [ -d "$DEST" ] && [ -n "$(ls -A "$DEST")" ]; then
    fail "$DEST exists, is not a Git checkout and is not empty; move it away to get the repository cloned"
  fi
  mkdir -p "$DEST"
  git -c protocol.allow=never -c protocol.file.allow=always clone --quiet --no-hardlinks -- "$SCRATCH_REPO" "$DEST" || fail "could not clone into $DEST"
  user_git remote set-url origin "$CLONE_URL"
  if [ -n "${GIT_REF:-}" ]; then
    # Validated above: never starts with "-"; the trailing "--" makes it a commit, not a path.
    user_git checkout --quiet "$GIT_REF" -- || fail "could not check out the requested ref"
  fi
  report cloned ''
}

fast_forward() {
  origin="$(user_git config --get remote.origin.url || true)"
  if [ "$origin" != "$CLONE_URL" ]; then
    report skipped 'origin points elsewhere; left as is'
    return
  fi
  user_git fetch --quiet --no-tags -- "$SCRATCH_REPO" '+refs/heads/*:refs/remotes/origin/*' || {
    report failed 'could not update the remote-tracking branches'
    return
  }
  if ! user_git symbolic-ref --quiet HEAD >/dev/null; then
    report skipped 'detached HEAD; left as is'
    return
  fi
  if ! user_git rev-parse --verify --quiet '@{upstream}' >/dev/null; then
    report skipped 'the branch has no upstream; left as is'
    return
  fi
  before="$(user_git rev-parse HEAD)"
  if ! user_git merge --ff-only --quiet '@{upstream}' >/dev/null 2>&1; then
    report failed 'cannot fast-forward (local commits or changes); left as is'
    return
  fi
  if [ "$before" = "$(user_git rev-parse HEAD)" ]; then
    report up-to-date ''
  else
    report pulled ''
  fi
}

checkout_step() {
  case "${WORKSPACE_ROOT:-}" in
    /*) ;;
    *) fail "WORKSPACE_ROOT must be an absolute path" ;;
  esac
  DEST="$WORKSPACE_ROOT/$REPO_OWNER/$REPO_NAME"
  if [ ! -d "$SCRATCH_REPO" ]; then
    why='nothing was fetched'
    [ -e "$FETCH_FAILED" ] && why='the repository could not be fetched (see the repository-fetch log)'
    [ -e "$DEST/.git" ] || fail "$why"
    report failed 'could not fetch; the checkout was left as is'
    return
  fi
  if [ -e "$DEST/.git" ]; then
    fast_forward
  else
    first_clone
  fi
}

check_inputs
case "$STEP" in
  fetch) fetch_step ;;
  checkout) checkout_step ;;
  *) fail "the first argument must be fetch or checkout" ;;
esac
