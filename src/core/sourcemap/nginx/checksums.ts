// nginx.org publishes PGP signatures, not checksums, so Kubetrace pins the SHA-256 of each release
// tarball it knows. An entry is added only when checked against a second, independent source:
// 1.22.1 equals Debian bookworm's nginx_1.22.1.orig.tar.gz, whose SHA-256 is in Debian's signed
// .dsc (scripts/fetch-nginx-source.sh checks both). Other versions download with a warning.
export const NGINX_SHA256: Readonly<Record<string, string>> = {
  '1.22.1': '9ebb333a9e82b952acd3e2b4aeb1d4ff6406f72491bab6cd9fe69f0dea737f31',
};
