#!/usr/bin/env bash
# Fetches reference HAProxy sources (docs/ARCHITECTURE.md "HAProxy source") from Debian's archive: the
# haproxy_<v>.orig.tar.gz each suite carries is the upstream release tarball.
#   2.6.12 bookworm (the sandbox's haproxy), 3.0.11 trixie
# Usage: scripts/fetch-haproxy-source.sh [--optional] [DEST] [VERSION...]
#   DEST defaults to .cache/haproxy-src next to this repo; VERSION defaults to 2.6.12.
#   Prints each extracted tree (DEST/<v>/) on its own line, in the order asked.
#   --optional: a version that cannot be fetched is reported on stderr and skipped (exit 0); its tests say so.
# Uses private apt state so the system's sources.list is never touched.
set -euo pipefail

# Debian suite and the SHA-256 that suite's source index states for the orig tarball (`apt-cache showsrc haproxy`
# with a deb-src list for the suite, read on 2026-12-05: bookworm 2.6.12-1+deb12u3, trixie 3.0.11-1+deb13u4).
# The same pins are in src/core/sourcemap/haproxy/checksums.ts; a unit test keeps the two equal.
suite_of() {
  case "$1" in
    2.6.12) echo bookworm ;;
    3.0.11) echo trixie ;;
    *) return 1 ;;
  esac
}
pin_of() {
  case "$1" in
    2.6.12) echo 58f9edb26bf3288f4b502658399281cc5d6478468bd178eafe579c8f41895854 ;;
    3.0.11) echo a133e2d550c5fd9a849b5c7ab17bb945bcdad209ca140d41f45ebf31943ae783 ;;
    *) return 1 ;;
  esac
}

optional=0
if [ "${1:-}" = "--optional" ]; then
  optional=1
  shift
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$here/.cache/haproxy-src}"
[ -n "$dest" ] || dest="$here/.cache/haproxy-src"
[ $# -gt 0 ] && shift
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(2.6.12)
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

fail() { echo "error: $1" >&2; [ -n "${2:-}" ] && echo "hint: $2" >&2; return 1; }
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
ready() { [ -f "$dest/$1/.kubetrace-extracted" ] && [ -f "$dest/$1/src/http_ana.c" ]; }

apt_dir=""
cleanup() { if [ -n "$apt_dir" ]; then rm -rf "$apt_dir"; fi; }
trap cleanup EXIT

apt_opts=()
apt_ready() {
  [ -n "$apt_dir" ] && return 0
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; cannot fetch Debian's haproxy source" \
    "download haproxy-<version>.tar.gz from https://www.haproxy.org/download/ and unpack it into $dest/<version>" || return 1
  apt_dir="$(mktemp -d)"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  printf 'deb-src http://deb.debian.org/debian %s main\n' bookworm trixie >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -qq)
  # apt drops to the _apt user for downloads, which cannot write into our private root-owned dir.
  [ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root)
  echo "fetching Debian haproxy source indexes (bookworm, trixie)..." >&2
  apt-get "${apt_opts[@]}" update >&2 || fail "apt-get update failed for deb-src bookworm/trixie" \
    "check network access to deb.debian.org" || return 1
}

fetch_one() {
  local v="$1" suite pin tarball tree work got index_sha top
  suite="$(suite_of "$v")" || { fail "no Debian suite pinned here carries haproxy $v (known: 2.6.12, 3.0.11)"; return 1; }
  pin="$(pin_of "$v")"
  tarball="$dest/haproxy_${v}.orig.tar.gz"
  tree="$dest/${v}"
  if [ ! -f "$tarball" ] || [ "$(sha_of "$tarball")" != "$pin" ]; then
    rm -f "$tarball"
    apt_ready || return 1
    # The index's own SHA-256 for the tarball: checked as well as the pin, so a stale pin is noticed.
    index_sha="$(apt-cache "${apt_opts[@]}" showsrc haproxy 2>/dev/null | awk -v f="haproxy_${v}.orig.tar.gz" '
      /^Checksums-Sha256:/ {s=1; next} /^[^ ]/ {s=0} s && $3==f {print $1; exit}')"
    [ -n "$index_sha" ] || { fail "Debian $suite's source index lists no haproxy_${v}.orig.tar.gz"; return 1; }
    [ "$index_sha" = "$pin" ] || { fail "Debian $suite's index states $index_sha for haproxy_${v}.orig.tar.gz, the pin is $pin"; return 1; }
    work="$apt_dir/work-$v"
    mkdir -p "$work"
    echo "downloading haproxy $v source package ($suite)..." >&2
    # The .dsc or debian.tar may sit only in the security archive (404 here); the orig tarball is what counts.
    (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "haproxy/$suite" >&2) || true
    [ -f "$work/haproxy_${v}.orig.tar.gz" ] || {
      fail "haproxy_${v}.orig.tar.gz could not be downloaded from Debian $suite" "check network access to deb.debian.org"
      return 1
    }
    got="$(sha_of "$work/haproxy_${v}.orig.tar.gz")"
    [ "$got" = "$pin" ] || { fail "SHA-256 of haproxy_${v}.orig.tar.gz ($got) differs from the pinned value ($pin)"; return 1; }
    mv "$work/haproxy_${v}.orig.tar.gz" "$tarball"
  fi
  rm -rf "$tree" "$tree.tmp"
  mkdir -p "$tree.tmp"
  tar -xzf "$tarball" -C "$tree.tmp" --no-same-owner
  top="$(find "$tree.tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)"
  [ -n "$top" ] && [ -f "$top/src/http_ana.c" ] || { fail "the tarball does not hold haproxy-${v}/src/http_ana.c"; return 1; }
  mv "$top" "$tree"
  rm -rf "$tree.tmp"
  printf 'haproxy %s\nsha256: %s\nfrom: Debian %s haproxy_%s.orig.tar.gz\n' "$v" "$pin" "$suite" "$v" >"$tree/.kubetrace-extracted"
}

all_ready=1
for v in "${versions[@]}"; do ready "$v" || all_ready=0; done
if [ "$all_ready" = 1 ]; then
  for v in "${versions[@]}"; do echo "$dest/$v"; done
  exit 0
fi

# Tests run in parallel and may all call this at once.
exec 9>"$dest/.lock"
flock 9
status=0
for v in "${versions[@]}"; do
  if ready "$v" || fetch_one "$v"; then
    echo "$dest/$v"
  elif [ "$optional" = 1 ]; then
    echo "warning: haproxy $v source skipped; its version tests will report it missing" >&2
  else
    status=1
  fi
done
exit "$status"
