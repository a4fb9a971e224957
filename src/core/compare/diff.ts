// The differences between two routes' answers to the same request, N probes each. What breaks a migration is an
// error or a warning; time is info (two proxies never take the same time) and never makes the routes unequal.
import type { Layer, Severity } from '../trace/model';
import type { ProbeFacts } from './facts';

export interface Difference {
  what: string;
  a?: string | number;
  b?: string | number;
  severity: Severity;
}

/** Headers whose value is per request (or secret), compared by presence only, whatever N shows. */
const PER_REQUEST = new Set([
  'date',
  'age',
  'expires',
  'x-request-id',
  'request-id',
  'x-correlation-id',
  'traceparent',
  'tracestate',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'b3',
  'x-trace-id',
  'x-amzn-trace-id',
  'x-envoy-upstream-service-time',
  'server-timing',
  'set-cookie',
  'cookie',
  'authorization',
  'x-forwarded-for',
  'x-real-ip',
]);
/** Differences a user expects between two proxies: worth showing, not worth failing on. */
const EXPECTED = new Set(['server', 'via', 'x-powered-by']);
/** Already told by the body's own row. */
const BODY = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

const ABSENT = '(absent)';
const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const values = <T>(facts: ProbeFacts[], f: (x: ProbeFacts) => T) => [...new Set(facts.map(f))];
const show = (xs: (string | number)[]) => xs.map(String).sort().join(' | ');

export function medianLayers(facts: ProbeFacts[]): Partial<Record<Layer | 'total', number>> {
  const out: Partial<Record<Layer | 'total', number>> = {};
  const keys = new Set(facts.flatMap((f) => Object.keys(f.layers))) as Set<Layer | 'total'>;
  for (const k of keys) {
    const xs = facts.map((f) => f.layers[k]).filter((x): x is number => x !== undefined);
    if (xs.length) out[k] = median(xs);
  }
  return out;
}

export function compareFacts(a: ProbeFacts[], b: ProbeFacts[]): Difference[] {
  const out: Difference[] = [];
  // `unknown`: absent means not seen, not "none" (a resumed TLS session shows no peer certificate).
  const one = (
    what: string,
    f: (x: ProbeFacts) => string | number | undefined,
    severity: Severity,
    unknown = false,
  ) => {
    const seen = (side: ProbeFacts[]) => {
      const vs = values(side, f);
      const known = vs.filter((v) => v !== undefined);
      return show((unknown && known.length ? known : vs).map((v) => v ?? ABSENT));
    };
    const x = seen(a);
    const y = seen(b);
    if (x !== y) out.push({ what, a: x, b: y, severity });
  };
  one('request host', (f) => f.host, 'info');
  one('status', (f) => f.status, 'error');
  one('redirect', (f) => f.redirect, 'error');
  body(a, b, out);
  keyed('response header', (f) => f.headers, a, b, out);
  one('backend services', (f) => f.services.join(', ') || ABSENT, 'error');
  const services = (s: ProbeFacts[]) => show(values(s, (f) => f.services.join(', ')));
  if (services(a) === services(b)) one('pods', (f) => f.pods.join(', ') || ABSENT, 'info');
  keyed('request header the app received', (f) => f.received, a, b, out);
  one('trace propagation', (f) => (f.propagated ? 'the app joined the trace' : 'no app spans in the trace'), 'warning');
  one('TLS protocol', (f) => f.tls?.protocol ?? (f.tls ? undefined : 'none'), 'warning');
  one('TLS certificate subject', (f) => f.tls?.subject, 'warning', true);
  times(a, b, out);
  return out;
}

function body(a: ProbeFacts[], b: ProbeFacts[], out: Difference[]): void {
  const ha = values(a, (f) => f.bodySha256);
  const hb = values(b, (f) => f.bodySha256);
  // A body that differs from one request to the next (a time, an id) can only be compared by size.
  if (ha.length === 1 && hb.length === 1) {
    if (ha[0] !== hb[0]) out.push({ what: 'body', a: describe(a[0]), b: describe(b[0]), severity: 'error' });
    return;
  }
  const sa = median(a.map((f) => f.bodyBytes));
  const sb = median(b.map((f) => f.bodyBytes));
  if (Math.abs(sa - sb) > Math.max(16, 0.1 * Math.max(sa, sb)))
    out.push({ what: 'body size (the body varies per request)', a: sa, b: sb, severity: 'warning' });
}

const describe = (f: ProbeFacts) => `${f.bodyBytes} bytes, sha256 ${f.bodySha256.slice(0, 12)}`;

function keyed(
  what: string,
  pick: (f: ProbeFacts) => Record<string, string>,
  a: ProbeFacts[],
  b: ProbeFacts[],
  out: Difference[],
): void {
  const names = new Set([...a, ...b].flatMap((f) => Object.keys(pick(f))));
  for (const name of [...names].sort()) {
    if (BODY.has(name)) continue;
    const va = values(a, (f) => pick(f)[name]);
    const vb = values(b, (f) => pick(f)[name]);
    const inA = va.some((v) => v !== undefined);
    const inB = vb.some((v) => v !== undefined);
    const severity: Severity = EXPECTED.has(name) ? 'info' : 'warning';
    const label = `${what} ${name}`;
    if (inA !== inB) {
      const shown = (present: boolean, v: (string | undefined)[]) =>
        !present ? ABSENT : PER_REQUEST.has(name) || v.length > 1 ? '(present)' : (v[0] ?? ABSENT);
      out.push({ what: label, a: shown(inA, va), b: shown(inB, vb), severity });
      continue;
    }
    // Present on both sides: a value that changes per request on either side says nothing about the route.
    if (!inA || PER_REQUEST.has(name) || va.length > 1 || vb.length > 1) continue;
    if (va[0] !== vb[0]) out.push({ what: label, a: va[0], b: vb[0], severity });
  }
}

/** A layer whose median moved by half and 5 ms: worth a line, never a failure. */
function times(a: ProbeFacts[], b: ProbeFacts[], out: Difference[]): void {
  const ma = medianLayers(a);
  const mb = medianLayers(b);
  for (const k of Object.keys({ ...ma, ...mb }) as (Layer | 'total')[]) {
    const x = ma[k];
    const y = mb[k];
    if (x === undefined || y === undefined) continue;
    if (Math.abs(x - y) >= 5 && Math.max(x, y) >= 1.5 * Math.min(x, y))
      out.push({ what: `${k} time (median ms)`, a: round(x), b: round(y), severity: 'info' });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
