#!/usr/bin/env bash
# Fetches reference HAProxy sources (docs/ARCHITECTURE.md "HAProxy source") from Debian's archive: the
# haproxy_<v>.orig.tar.gz each suite carries is the upstream release tarball.
#   2.6.12 bookworm (the sandbox's haproxy), 3.0.11 trixie
# Usage: scripts/fetch-haproxy-source.sh [--optional] [DEST] [VERSION...]
#   DEST defaults to .cache/haproxy-src next to this repo; VERSION defaults to 2.6.12.
#   Prints each extracted tree (DEST/<v>/) on its own line, in the order asked.
#   --optional: a version that cannot be fetched is reported on stderr and skipped (exit 0); its tests say so.
# The fetching itself is scripts/lib/debian-source.sh, shared with fetch-nginx-source.sh.
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
known="2.6.12, 3.0.11"
pkg=haproxy
suites="bookworm trixie"
marker=src/http_ana.c
no_apt_hint="download haproxy-<version>.tar.gz from https://www.haproxy.org/download/ and unpack it into DEST/<version>"
tree_of() { echo "$dest/$1"; }

optional=0
if [ "${1:-}" = "--optional" ]; then
  optional=1
  shift
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$here/.cache/haproxy-src}"
[ $# -gt 0 ] && shift
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(2.6.12)
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

# shellcheck source=lib/debian-source.sh
. "$here/scripts/lib/debian-source.sh"
fetch_main "$optional" "${versions[@]}"
