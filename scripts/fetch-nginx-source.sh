#!/usr/bin/env bash
# Fetches reference nginx sources (docs/ARCHITECTURE.md "nginx source mapping") from Debian's archive: the
# nginx_<v>.orig.tar.gz each suite carries is the upstream release tarball, byte for byte.
#   1.22.1 bookworm, 1.26.3 trixie, 1.30.6 sid
# Usage: scripts/fetch-nginx-source.sh [--optional] [DEST] [VERSION...]
#   DEST defaults to .cache/nginx-src next to this repo; VERSION defaults to 1.22.1.
#   Prints each extracted tree (DEST/nginx-<v>/) on its own line, in the order asked.
#   --optional: a version that cannot be fetched is reported on stderr and skipped (exit 0),
#   so `npm test` still runs where a mirror lacks one tarball; its tests then say so.
# The fetching itself is scripts/lib/debian-source.sh, shared with fetch-haproxy-source.sh.
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
known="1.22.1, 1.26.3, 1.30.6"
pkg=nginx
suites="bookworm trixie sid"
marker=src/http/ngx_http_request.c
no_apt_hint="download nginx-<version>.tar.gz from https://nginx.org/download/ and unpack it into DEST"
tree_of() { echo "$dest/nginx-$1"; }

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

# shellcheck source=lib/debian-source.sh
. "$here/scripts/lib/debian-source.sh"
fetch_main "$optional" "${versions[@]}"
