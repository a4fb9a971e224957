# Shared by scripts/fetch-nginx-source.sh and scripts/fetch-haproxy-source.sh (sourced, not run): fetches the
# upstream release tarballs Debian's suites carry (<pkg>_<v>.orig.tar.gz, byte for byte the upstream release),
# checks each against its pin and the suite's own source index, and unpacks it. Private apt state, so the system's
# sources.list is never touched.
#
# The caller sets: pkg (Debian source package), suites (the deb-src suites to index), dest (absolute),
# no_apt_hint (what to do without apt-get), and defines suite_of V, pin_of V, known (the pinned versions, for
# messages), tree_of V (where the tree goes) and marker (a file every whole tree has, relative to it). Then it
# calls fetch_main OPTIONAL VERSION...

fail() {
  echo "error: $1" >&2
  [ -n "${2:-}" ] && echo "hint: $2" >&2
  return 1
}
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
ready() { [ -f "$(tree_of "$1")/.kubetrace-extracted" ] && [ -f "$(tree_of "$1")/$marker" ]; }

apt_dir=""
cleanup() { if [ -n "$apt_dir" ]; then rm -rf "$apt_dir"; fi; }
trap cleanup EXIT

# One private apt state for every suite, updated once per run.
apt_opts=()
apt_ready() {
  [ -n "$apt_dir" ] && return 0
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found; cannot fetch Debian's $pkg source" "$no_apt_hint" ||
    return 1
  apt_dir="$(mktemp -d)"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  # shellcheck disable=SC2086 # one line per suite
  printf 'deb-src http://deb.debian.org/debian %s main\n' $suites >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -qq)
  # apt drops to the _apt user for downloads, which cannot write into our private root-owned dir.
  [ "$(id -u)" = 0 ] && apt_opts+=(-o APT::Sandbox::User=root)
  echo "fetching Debian $pkg source indexes (${suites// /, })..." >&2
  apt-get "${apt_opts[@]}" update >&2 || fail "apt-get update failed for deb-src ${suites// //}" \
    "check network access to deb.debian.org" || return 1
}

fetch_one() {
  local v="$1" suite pin file tarball tree work got index_sha top
  suite="$(suite_of "$v")" || {
    fail "no Debian suite pinned here carries $pkg $v (known: $known)"
    return 1
  }
  pin="$(pin_of "$v")"
  file="${pkg}_${v}.orig.tar.gz"
  tarball="$dest/$file"
  tree="$(tree_of "$v")"
  if [ ! -f "$tarball" ] || [ "$(sha_of "$tarball")" != "$pin" ]; then
    rm -f "$tarball"
    apt_ready || return 1
    # The index's own SHA-256 for the tarball: checked as well as the pin, so a stale pin is noticed.
    index_sha="$(apt-cache "${apt_opts[@]}" showsrc "$pkg" 2>/dev/null | awk -v f="$file" '
      /^Checksums-Sha256:/ {s=1; next} /^[^ ]/ {s=0} s && $3==f {print $1; exit}')"
    [ -n "$index_sha" ] || {
      fail "Debian $suite's source index lists no $file"
      return 1
    }
    [ "$index_sha" = "$pin" ] || {
      fail "Debian $suite's index states $index_sha for $file, the pin is $pin"
      return 1
    }
    work="$apt_dir/work-$v"
    mkdir -p "$work"
    echo "downloading $pkg $v source package ($suite)..." >&2
    # The .dsc or debian.tar may sit only in the security archive (404 here); the orig tarball is what counts.
    (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "$pkg/$suite" >&2) || true
    [ -f "$work/$file" ] || {
      fail "$file could not be downloaded from Debian $suite" "check network access to deb.debian.org"
      return 1
    }
    got="$(sha_of "$work/$file")"
    [ "$got" = "$pin" ] || {
      fail "SHA-256 of $file ($got) differs from the pinned value ($pin)"
      return 1
    }
    mv "$work/$file" "$tarball"
  fi
  rm -rf "$tree" "$tree.tmp"
  mkdir -p "$tree.tmp"
  tar -xzf "$tarball" -C "$tree.tmp" --no-same-owner
  top="$(find "$tree.tmp" -mindepth 1 -maxdepth 1 -type d | head -n1)"
  [ -n "$top" ] && [ -f "$top/$marker" ] || {
    fail "$file does not hold $pkg-$v/$marker"
    return 1
  }
  mv "$top" "$tree"
  rm -rf "$tree.tmp"
  printf '%s %s\nsha256: %s\nfrom: Debian %s %s\n' "$pkg" "$v" "$pin" "$suite" "$file" >"$tree/.kubetrace-extracted"
}

# Prints each tree on its own line, in the order asked. OPTIONAL=1: a version that cannot be fetched is reported
# on stderr and skipped (exit 0), so `npm test` still runs where a mirror lacks one tarball; its tests say so.
fetch_main() {
  local optional="$1" v all_ready=1 status=0
  shift
  mkdir -p "$dest"
  # Fast path: everything already fetched and extracted.
  for v in "$@"; do ready "$v" || all_ready=0; done
  if [ "$all_ready" = 1 ]; then
    for v in "$@"; do tree_of "$v"; done
    return 0
  fi
  # Tests run in parallel and may all call this at once.
  exec 9>"$dest/.lock"
  flock 9
  for v in "$@"; do
    if ready "$v" || fetch_one "$v"; then
      tree_of "$v"
    elif [ "$optional" = 1 ]; then
      echo "warning: $pkg $v source skipped; its version tests will report it missing" >&2
    else
      status=1
    fi
  done
  return "$status"
}
