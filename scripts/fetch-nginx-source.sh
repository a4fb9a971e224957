#!/usr/bin/env bash
# Fetches the reference nginx source (DESIGN.md "nginx source mapping"): Debian bookworm's
# nginx_1.22.1.orig.tar.gz, which is the upstream release tarball, byte for byte.
# Usage: scripts/fetch-nginx-source.sh [DEST]   (default: .cache/nginx-src next to this repo)
# Leaves DEST/nginx_1.22.1.orig.tar.gz and the extracted tree DEST/nginx-1.22.1/.
# Uses private apt state (TESTING.md) so the system's sources.list is never touched.
set -euo pipefail

VERSION=1.22.1
# Pinned as well as checked against the .dsc: a wrong mirror must not pass just because it is self-consistent.
PINNED_SHA256=9ebb333a9e82b952acd3e2b4aeb1d4ff6406f72491bab6cd9fe69f0dea737f31

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-$here/.cache/nginx-src}"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
tarball="$dest/nginx_${VERSION}.orig.tar.gz"
tree="$dest/nginx-${VERSION}"
stamp="$tree/.kubetrace-extracted"

fail() { echo "error: $1" >&2; [ -n "${2:-}" ] && echo "hint: $2" >&2; exit 1; }

# Fast path: already fetched and extracted.
if [ -f "$stamp" ] && [ -f "$tree/src/http/ngx_http_request.c" ]; then
  echo "$tree"
  exit 0
fi

# Tests run in parallel and may all call this at once.
exec 9>"$dest/.lock"
flock 9
if [ -f "$stamp" ] && [ -f "$tree/src/http/ngx_http_request.c" ]; then
  echo "$tree"
  exit 0
fi

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ ! -f "$tarball" ] || [ "$(sha_of "$tarball")" != "$PINNED_SHA256" ]; then
  rm -f "$tarball"
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; cannot fetch Debian's nginx source" \
    "download nginx-${VERSION}.tar.gz from https://nginx.org/download/ and save it as $tarball"
  apt_dir="$(mktemp -d)"
  trap 'rm -rf "$apt_dir"' EXIT
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  echo "deb-src http://deb.debian.org/debian bookworm main" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
            -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -qq)
  # apt drops to the _apt user for downloads, which cannot write into our private root-owned dir.
  [ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root)
  echo "fetching Debian nginx source index..." >&2
  apt-get "${apt_opts[@]}" update >&2 || fail "apt-get update failed for deb-src bookworm main" \
    "check network access to deb.debian.org"
  work="$apt_dir/work"
  mkdir -p "$work"
  echo "downloading nginx source package..." >&2
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only nginx >&2) \
    || fail "apt-get source --download-only nginx failed" "check network access to deb.debian.org"
  dsc="$(ls "$work"/nginx_*.dsc 2>/dev/null | head -n1)"
  [ -n "$dsc" ] || fail "no nginx .dsc was downloaded"
  [ -f "$work/nginx_${VERSION}.orig.tar.gz" ] || fail "Debian's nginx source is not version ${VERSION} (got $(basename "$dsc"))"
  # The Checksums-Sha256 stanza lines look like " <sha256> <size> <file>".
  dsc_sha="$(awk '/^Checksums-Sha256:/{f=1;next} /^[^ ]/{f=0} f && $3=="nginx_'"$VERSION"'.orig.tar.gz"{print $1}' "$dsc")"
  got="$(sha_of "$work/nginx_${VERSION}.orig.tar.gz")"
  [ -n "$dsc_sha" ] || fail "the .dsc lists no SHA-256 for nginx_${VERSION}.orig.tar.gz"
  [ "$got" = "$dsc_sha" ] || fail "SHA-256 of nginx_${VERSION}.orig.tar.gz ($got) differs from the .dsc ($dsc_sha)"
  [ "$got" = "$PINNED_SHA256" ] || fail "SHA-256 of nginx_${VERSION}.orig.tar.gz ($got) differs from the pinned value ($PINNED_SHA256)"
  mv "$work/nginx_${VERSION}.orig.tar.gz" "$tarball"
  cp "$dsc" "$dest/"
fi

rm -rf "$tree" "$tree.tmp"
mkdir -p "$tree.tmp"
tar -xzf "$tarball" -C "$tree.tmp" --no-same-owner
[ -f "$tree.tmp/nginx-${VERSION}/src/http/ngx_http_request.c" ] || fail "the tarball does not hold nginx-${VERSION}/src/http"
mv "$tree.tmp/nginx-${VERSION}" "$tree"
rmdir "$tree.tmp"
touch "$stamp"
echo "$tree"
