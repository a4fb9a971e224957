#!/usr/bin/env bash
# Fetches reference nginx sources (docs/ARCHITECTURE.md "nginx source mapping") from Debian's archive: the
# nginx_<v>.orig.tar.gz each suite carries is the upstream release tarball, byte for byte.
#   1.22.1 bookworm, 1.26.3 trixie, 1.30.6 sid
# Usage: scripts/fetch-nginx-source.sh [--optional] [DEST] [VERSION...]
#   DEST defaults to .cache/nginx-src next to this repo; VERSION defaults to 1.22.1.
#   Prints each extracted tree (DEST/nginx-<v>/) on its own line, in the order asked.
#   --optional: a version that cannot be fetched is reported on stderr and skipped (exit 0),
#   so `npm test` still runs where a mirror lacks one tarball; its tests then say so.
# Uses private apt state (see the comment above) so the system's sources.list is never touched.
set -euo pipefail

# Debian suite and the SHA-256 that suite's signed source index states for the orig tarball
# (`apt-cache showsrc nginx` with a deb-src list for the suite). The same pins are in
# src/core/sourcemap/nginx/checksums.ts; a unit test keeps the two equal.
suite_of() {
  case "$1" in
    1.22.1) echo bookworm ;;
    1.26.3) echo trixie ;;
    1.30.6) echo sid ;;
    *) return 1 ;;
  esac
}
pin_of() {
  case "$1" in
    1.22.1) echo 9ebb333a9e82b952acd3e2b4aeb1d4ff6406f72491bab6cd9fe69f0dea737f31 ;;
    1.26.3) echo 69ee2b237744036e61d24b836668aad3040dda461fe6f570f1787eab570c75aa ;;
    1.30.6) echo 3cf46f5ed7504d460125866b7bea99fb357f31d887e2e63b35503310e9b8b6c8 ;;
    *) return 1 ;;
  esac
}

optional=0
if [ "${1:-}" = "--optional" ]; then
  optional=1
  shift
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$here/.cache/nginx-src}"
[ $# -gt 0 ] && shift
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.22.1)
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

fail() { echo "error: $1" >&2; [ -n "${2:-}" ] && echo "hint: $2" >&2; return 1; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
ready() { [ -f "$dest/nginx-$1/.kubetrace-extracted" ] && [ -f "$dest/nginx-$1/src/http/ngx_http_request.c" ]; }

apt_dir=""
cleanup() { if [ -n "$apt_dir" ]; then rm -rf "$apt_dir"; fi; }
trap cleanup EXIT

# One private apt state for every suite, updated once per run.
apt_opts=()
apt_ready() {
  [ -n "$apt_dir" ] && return 0
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; cannot fetch Debian's nginx source" \
    "download nginx-<version>.tar.gz from https://nginx.org/download/ into $dest" || return 1
  apt_dir="$(mktemp -d)"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  printf 'deb-src http://deb.debian.org/debian %s main\n' bookworm trixie sid >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -qq)
  # apt drops to the _apt user for downloads, which cannot write into our private root-owned dir.
  [ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root)
  echo "fetching Debian nginx source indexes (bookworm, trixie, sid)..." >&2
  apt-get "${apt_opts[@]}" update >&2 || fail "apt-get update failed for deb-src bookworm/trixie/sid" \
    "check network access to deb.debian.org" || return 1
}

fetch_one() {
  local v="$1" suite pin tarball tree work got index_sha
  suite="$(suite_of "$v")" || { fail "no Debian suite carries nginx $v (known: 1.22.1, 1.26.3, 1.30.6)"; return 1; }
  pin="$(pin_of "$v")"
  tarball="$dest/nginx_${v}.orig.tar.gz"
  tree="$dest/nginx-${v}"
  if [ ! -f "$tarball" ] || [ "$(sha_of "$tarball")" != "$pin" ]; then
    rm -f "$tarball"
    apt_ready || return 1
    # The index's own SHA-256 for the tarball: checked as well as the pin, so a stale pin is noticed.
    index_sha="$(apt-cache "${apt_opts[@]}" showsrc nginx 2>/dev/null | awk -v f="nginx_${v}.orig.tar.gz" '
      /^Checksums-Sha256:/ {s=1; next} /^[^ ]/ {s=0} s && $3==f {print $1; exit}')"
    [ -n "$index_sha" ] || { fail "Debian $suite's source index lists no nginx_${v}.orig.tar.gz"; return 1; }
    [ "$index_sha" = "$pin" ] || { fail "Debian $suite's index states $index_sha for nginx_${v}.orig.tar.gz, the pin is $pin"; return 1; }
    work="$apt_dir/work-$v"
    mkdir -p "$work"
    echo "downloading nginx $v source package ($suite)..." >&2
    # The .dsc or debian.tar may sit only in the security archive (404 here); the orig tarball is what counts.
    (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "nginx/$suite" >&2) || true
    [ -f "$work/nginx_${v}.orig.tar.gz" ] || {
      fail "nginx_${v}.orig.tar.gz could not be downloaded from Debian $suite" "check network access to deb.debian.org"
      return 1
    }
    got="$(sha_of "$work/nginx_${v}.orig.tar.gz")"
    [ "$got" = "$pin" ] || { fail "SHA-256 of nginx_${v}.orig.tar.gz ($got) differs from the pinned value ($pin)"; return 1; }
    mv "$work/nginx_${v}.orig.tar.gz" "$tarball"
  fi
  rm -rf "$tree" "$tree.tmp"
  mkdir -p "$tree.tmp"
  tar -xzf "$tarball" -C "$tree.tmp" --no-same-owner
  [ -f "$tree.tmp/nginx-${v}/src/http/ngx_http_request.c" ] || { fail "the tarball does not hold nginx-${v}/src/http"; return 1; }
  mv "$tree.tmp/nginx-${v}" "$tree"
  rmdir "$tree.tmp"
  printf 'nginx %s\nsha256: %s\nfrom: Debian %s nginx_%s.orig.tar.gz\n' "$v" "$pin" "$suite" "$v" >"$tree/.kubetrace-extracted"
}

# Fast path: everything already fetched and extracted.
all_ready=1
for v in "${versions[@]}"; do ready "$v" || all_ready=0; done
if [ "$all_ready" = 1 ]; then
  for v in "${versions[@]}"; do echo "$dest/nginx-$v"; done
  exit 0
fi

# Tests run in parallel and may all call this at once.
exec 9>"$dest/.lock"
flock 9
status=0
for v in "${versions[@]}"; do
  if ready "$v" || fetch_one "$v"; then
    echo "$dest/nginx-$v"
  elif [ "$optional" = 1 ]; then
    echo "warning: nginx $v source skipped; its version tests will report it missing" >&2
  else
    status=1
  fi
done
exit "$status"
