// ingress-nginx controller release -> the nginx it ships. From the "Supported Versions table" in
// kubernetes/ingress-nginx's README (main branch, rows v1.3.1 ... v1.15.1). Releases without a
// row there are filled from their series and marked uncertain. (The table's footnote mark † on
// 1.19.10 is dropped; the version is what matters here.)

export interface IngressNginxRelease {
  nginx: string;
  uncertain?: true;
}

const rows: [string, string][] = [
  ['1.3.1', '1.19.10'],
  ['1.4.0', '1.19.10'],
  ['1.5.1', '1.21.6'],
  ['1.6.4', '1.21.6'],
  ['1.7.1', '1.21.6'],
  ['1.8.4', '1.21.6'],
  ['1.9.0', '1.21.6'],
  ['1.9.1', '1.21.6'],
  ['1.9.3', '1.21.6'],
  ['1.9.4', '1.21.6'],
  ['1.9.5', '1.21.6'],
  ['1.9.6', '1.21.6'],
  ['1.10.0', '1.25.3'],
  ['1.10.1', '1.25.3'],
  ['1.10.2', '1.25.5'],
  ['1.10.3', '1.25.5'],
  ['1.10.4', '1.25.5'],
  ['1.10.5', '1.25.5'],
  ['1.10.6', '1.25.5'],
  ...['0', '1', '2', '3', '4', '5', '6', '7', '8'].map((p): [string, string] => [`1.11.${p}`, '1.25.5']),
  ...['0', '1', '2', '3', '4', '5', '6', '7', '8'].map((p): [string, string] => [`1.12.${p}`, '1.25.5']),
  ...['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].map((p): [string, string] => [`1.13.${p}`, '1.27.1']),
  ...['0', '1', '2', '3', '4', '5'].map((p): [string, string] => [`1.14.${p}`, '1.27.1']),
  ['1.15.0', '1.27.1'],
  ['1.15.1', '1.27.1'],
];

/** Minor series whose listed releases all ship one nginx: unlisted patches get it, uncertain. */
const series: Record<string, string> = {
  '1.5': '1.21.6',
  '1.6': '1.21.6',
  '1.7': '1.21.6',
  '1.8': '1.21.6',
  '1.9': '1.21.6',
  '1.11': '1.25.5',
  '1.12': '1.25.5',
  '1.13': '1.27.1',
  '1.14': '1.27.1',
  '1.15': '1.27.1',
};

export const INGRESS_NGINX_RELEASES: ReadonlyMap<string, IngressNginxRelease> = new Map(
  rows.map(([c, n]) => [c, { nginx: n }]),
);

/** `1.9.6`, `v1.9.6`, `controller-v1.9.6` or a prerelease like `v1.12.0-beta.0` -> the nginx version. */
export function nginxForController(tag: string): IngressNginxRelease | undefined {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(tag);
  if (!m) return undefined;
  const exact = INGRESS_NGINX_RELEASES.get(`${m[1]}.${m[2]}.${m[3]}`);
  if (exact) return exact;
  const s = series[`${m[1]}.${m[2]}`];
  return s ? { nginx: s, uncertain: true } : undefined;
}
