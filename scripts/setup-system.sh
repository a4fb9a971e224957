#!/usr/bin/env bash
# Checks the system packages Kubetrace's sandbox and tests need; installs them when it can
# (root on Debian/Ubuntu), otherwise stops with the exact command to run.
set -euo pipefail

packages=(nginx libnginx-mod-http-lua python3-flask python3-kubernetes haproxy goaccess apache2-utils ripgrep chromium
  openssl dpkg-dev libkrb5-dev libxkbfile-dev libsecret-1-dev libx11-dev time)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
need_kubectl=0
command -v kubectl >/dev/null 2>&1 || need_kubectl=1
[ "$need_kubectl" = 1 ] && missing+=(kubernetes-client)

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing system packages: ${missing[*]}" >&2
  echo "hint: this script installs them only on Debian or Ubuntu; install the equivalents with your package manager" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "error: missing system packages: ${missing[*]}" >&2
  echo "hint: run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
# The sandbox runs its own nginx and haproxy; Debian's packages start system ones that we do not need.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now nginx haproxy >/dev/null 2>&1 || true; fi
if command -v service >/dev/null 2>&1; then { service nginx stop; service haproxy stop; } >/dev/null 2>&1 || true; fi
echo "system packages: installed"
