#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3 on Node 20) into .cache/code-server for the e2e tests and
# `npm run demo:vscode`. It is heavy, so it stays out of `npm install`; the result is cached.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=.cache/code-server
VERSION=4.100.3
BIN="$DEST/node_modules/.bin/code-server"
if [ -x "$BIN" ] && [ -f "$DEST/.installed-$VERSION" ]; then
  echo "code-server $VERSION: cached"
  exit 0
fi
for p in rg; do command -v "$p" >/dev/null || { echo "error: $p is missing" >&2; echo "hint: run scripts/setup-system.sh (as root) first" >&2; exit 1; }; done
# code-server's VS Code pins @vscode/ripgrep 1.15.11, whose postinstall downloads ripgrep from GitHub:
# seed its cache with the system's ripgrep instead (the network is closed).
TMP=$(node -p 'require("os").tmpdir()')
CACHE="$TMP/vscode-ripgrep-cache-1.15.11"
if [ ! -f "$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" ]; then
  work=$(mktemp -d); cp "$(command -v rg)" "$work/rg"; mkdir -p "$CACHE"
  tar czf "$CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$work" rg; rm -rf "$work"
fi
mkdir -p "$DEST"
[ -f "$DEST/package.json" ] || echo '{"name":"kubetrace-code-server","private":true}' > "$DEST/package.json"
echo "installing code-server $VERSION (takes a few minutes the first time)..."
( cd "$DEST" && npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error "code-server@$VERSION" )
touch "$DEST/.installed-$VERSION"
echo "code-server $VERSION: installed"
