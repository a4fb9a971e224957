// nginx.org publishes PGP signatures, not checksums, so Kubetrace pins the SHA-256 of each release
// tarball (nginx-<v>.tar.gz, which Debian ships unmodified as nginx_<v>.orig.tar.gz) that a
// supported controller ships. A pin is taken only from a published source that states it, named
// in `from`; a version no such source pins is left out and downloads with a warning.
// Unpinned for that reason (no published SHA-256 found): 1.25.5, 1.28.0, 1.29.1, 1.29.3, 1.30.0,
// 1.31.2. ingress-nginx's build.sh names 66dc70... for 1.25.x and 1.27.1 too, but that is 1.21.6's
// hash left in place after its check was commented out ("TODO: Reenable checksum verification"),
// so it pins nothing for those versions.

export interface NginxPin {
  sha256: string;
  from: string;
}

const DEBIAN = (suite: string, pkg: string) =>
  `Debian ${suite} source index (apt-cache showsrc nginx, Checksums-Sha256 of nginx ${pkg}); ` +
  'scripts/fetch-nginx-source.sh checks it again';
const BUILD_SH = (tag: string) =>
  `kubernetes/ingress-nginx images/nginx/rootfs/build.sh at ${tag} (get_src, checked there with sha256sum -c)`;
const BREW = (where: string) => `Homebrew formula Formula/n/nginx.rb (${where})`;

export const NGINX_PINS: Readonly<Record<string, NginxPin>> = {
  // ingress-nginx 1.3-1.4 and 1.5-1.9.
  '1.19.10': {
    sha256: 'e8d0290ff561986ad7cd6c33307e12e11b137186c4403a6a5ccdb4914c082d88',
    from: BUILD_SH('commit 01b92b8 "Nginx v1.19.10"'),
  },
  '1.21.6': {
    sha256: '66dc7081488811e9f925719e34d1b4504c2801c81dee2920e5452a86b11405ae',
    from: BUILD_SH('controller-v1.9.6'),
  },
  '1.22.1': {
    sha256: '9ebb333a9e82b952acd3e2b4aeb1d4ff6406f72491bab6cd9fe69f0dea737f31',
    from: DEBIAN('bookworm', '1.22.1-9+deb12u9'),
  },
  // ingress-nginx 1.10.0-1.10.1.
  '1.25.3': {
    sha256: '64c5b975ca287939e828303fa857d22f142b251f17808dfe41733512d9cded86',
    from: `${BREW('at 1.25.3')}; the same hash as nixpkgs' SRI sha256-ZMW5dcooeTnoKDA/qFfSLxQrJR8XgI3+QXM1EtnN7YY=`,
  },
  '1.26.3': {
    sha256: '69ee2b237744036e61d24b836668aad3040dda461fe6f570f1787eab570c75aa',
    from: DEBIAN('trixie', '1.26.3-3+deb13u10'),
  },
  // ingress-nginx 1.13-1.15.
  '1.27.1': {
    sha256: 'bd7ba68a6ce1ea3768b771c7e2ab4955a59fb1b1ae8d554fedb6c2304104bdfc',
    from:
      `${BREW('at 1.27.1')}; the same hash in an Arch PKGBUILD's sha256sums and in build scripts that verify ` +
      'nginx-1.27.1.tar.gz with sha256sum -c',
  },
  // NGINX Gateway Fabric and F5 NGINX Ingress Controller.
  '1.29.2': {
    sha256: '5669e3c29d49bf7f6eb577275b86efe4504cf81af885c58a1ed7d2e7b8492437',
    from: BREW('homebrew-core history, as mirrored in ziti-ci/homebrew-core@05690b3'),
  },
  '1.29.5': {
    sha256: '6744768a4114880f37b13a0443244e731bcb3130c0a065d7e37d8fd589ade374',
    from: BREW('homebrew-core history, as mirrored in yairm210/homebrew-core@48e9b82'),
  },
  '1.29.7': {
    sha256: '673f8fb8c0961c44fbd9410d6161831453609b44063d3f2948253fc2b5692139',
    from: BREW('homebrew-core history, as mirrored in zeroclaw-labs/homebrew-core@cfc15e5'),
  },
  '1.30.6': {
    sha256: '3cf46f5ed7504d460125866b7bea99fb357f31d887e2e63b35503310e9b8b6c8',
    from: DEBIAN('sid', '1.30.6-2'),
  },
  '1.31.0': {
    sha256: '6d5b00d45393af2e4e7c52a442d2a198f0ccbc7678ed062a46f403edd833ebaa',
    from: BREW('homebrew-core history, as mirrored in awvwgk/homebrew-core@47be448 and two other mirrors'),
  },
  '1.31.1': {
    sha256: '9fcaaeb8f22544b09a19a761f3412c4112215422401634bebdd1296a403cc4bc',
    from: BREW('homebrew-core history, as mirrored in social4hyq/homebrew-core@088db81'),
  },
  '1.31.3': {
    sha256: 'a7657c50811c2d92d9895395e8b873ef60398142c4db21eb647811c38f6dd525',
    from: BREW('Homebrew/homebrew-core@80e24c5'),
  },
};

/** version -> SHA-256, for callers that only need the hash. */
export const NGINX_SHA256: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(NGINX_PINS).map(([v, p]) => [v, p.sha256]),
);
