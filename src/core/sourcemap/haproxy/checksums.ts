// The HAProxy release tarballs Kubetrace checks its phase index against, each pinned by the SHA-256 that Debian's
// source index states for haproxy_<v>.orig.tar.gz (the upstream tarball). scripts/fetch-haproxy-source.sh holds the
// same pins and checks them against the index again when it downloads; a unit test keeps the two equal.

export interface HaproxyPin {
  sha256: string;
  suite: string;
  from: string;
}

const DEBIAN = (suite: string, pkg: string) =>
  `Debian ${suite} source index (apt-cache showsrc haproxy, Checksums-Sha256 of haproxy ${pkg}, read 2026-12-05)`;

export const HAPROXY_PINS: Readonly<Record<string, HaproxyPin>> = {
  // Debian bookworm's haproxy: the sandbox's.
  '2.6.12': {
    sha256: '58f9edb26bf3288f4b502658399281cc5d6478468bd178eafe579c8f41895854',
    suite: 'bookworm',
    from: DEBIAN('bookworm', '2.6.12-1+deb12u3'),
  },
  '3.0.11': {
    sha256: 'a133e2d550c5fd9a849b5c7ab17bb945bcdad209ca140d41f45ebf31943ae783',
    suite: 'trixie',
    from: DEBIAN('trixie', '3.0.11-1+deb13u4'),
  },
};
