// Request sets for the panel tests: a burst of 400 requests through orders with a slow tail in inventory, a log
// set with many pods, and a hostile one whose strings carry markup and control characters.
import type { BurstMessage, BurstReport, RequestSummary, Tail } from '../../src/protocol/messages';

const BASE = 1_764_230_400_000_000_000n; // 2025-11-27T08:00:00Z in ns

/** A deterministic pseudo-random sequence, so screenshots and assertions are stable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const SLOWEST_TRACE = 'f'.repeat(32);

function requests(n: number, pods: string[]): RequestSummary[] {
  const r = rng(7);
  const out: RequestSummary[] = [];
  for (let i = 0; i < n; i++) {
    const tail = r() < 0.03;
    const ms = tail ? 180 + r() * 300 : 8 + r() * 20 + (r() < 0.2 ? r() * 40 : 0);
    const failed = i % 97 === 13;
    out.push({
      traceId: (i + 1).toString(16).padStart(32, '0'),
      startUnixNano: (BASE + BigInt(Math.round(i * 25e6 + r() * 10e6))).toString(),
      durationMs: Math.round(ms * 100) / 100,
      status: failed ? 502 : 200,
      complete: true,
      pod: pods[i % pods.length],
      newConnection: i < 4,
      method: 'GET',
      path: i % 5 === 0 ? '/orders/42' : '/orders',
      ...(failed ? { error: 'upstream prematurely closed connection' } : {}),
    });
  }
  // The slowest one, in the middle of the run.
  const mid = Math.min(200, n >> 1);
  if (n) out[mid] = { ...out[mid], traceId: SLOWEST_TRACE, durationMs: 912.5 };
  return out;
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function histogram(values: number[]): BurstReport['histogram'] {
  const bins: BurstReport['histogram'] = [];
  for (let lo = 1; lo < 2000; lo *= 10 ** 0.1) {
    const up = lo * 10 ** 0.1;
    const count = values.filter((v) => v >= lo && v < up).length;
    bins.push({ lowerMs: Math.round(lo * 1000) / 1000, upperMs: Math.round(up * 1000) / 1000, count });
  }
  return bins;
}

function tail(percentile: number, sorted: number[], sentence: string): Tail {
  const thresholdMs = pct(sorted, percentile);
  const medianMs = pct(sorted, 50);
  return {
    percentile,
    thresholdMs,
    medianMs,
    extraMs: thresholdMs - medianMs,
    layers: [
      { layer: 'client', medianShare: 0.1, tailShare: 0.02, delta: -0.08 },
      { layer: 'ingress', medianShare: 0.2, tailShare: 0.05, delta: -0.15 },
      { layer: 'app', medianShare: 0.5, tailShare: 0.3, delta: -0.2 },
      { layer: 'downstream', medianShare: 0.2, tailShare: 0.63, delta: 0.43 },
    ],
    biggest: {
      layer: 'downstream',
      service: 'inventory',
      name: 'SELECT stock',
      extraMs: (thresholdMs - medianMs) * 0.8,
    },
    sentence,
  };
}

export function burstReport(
  n = 400,
  pods = ['orders-7d9f8-abcde', 'orders-7d9f8-fghij', 'orders-7d9f8-klmno'],
): BurstReport {
  const probes = requests(n, pods);
  const sorted = probes.map((p) => p.durationMs).sort((a, b) => a - b);
  const p99 = pct(sorted, 99);
  const sentence =
    `p99 is ${p99.toFixed(0)} ms, ${(p99 - pct(sorted, 50)).toFixed(0)} ms above the median; ` +
    `most of the extra time is in inventory's \`SELECT stock\``;
  const errors = probes.filter((p) => (p.status ?? 0) >= 500).length;
  const layer = (l: 'client' | 'ingress' | 'app' | 'downstream', k: number, share: number) => ({
    layer: l,
    count: n,
    p50: 2 * k,
    p90: 4 * k,
    p99: 20 * k,
    max: 40 * k,
    share,
  });
  return {
    route: 'shop/orders',
    requests: n,
    completed: n,
    errors,
    durationMs: n * 25 + 40,
    rps: 39.8,
    layers: [layer('client', 1, 0.1), layer('ingress', 1.5, 0.15), layer('app', 4, 0.4), layer('downstream', 5, 0.35)],
    spans: [
      ...['dns', 'connect', 'tls', 'request', 'ttfb', 'download'].map((name, i) => ({
        layer: 'client' as const,
        service: 'kubetrace',
        name,
        count: n,
        p50: 0.2 + i,
        p90: 0.5 + i,
        p99: 2 + i,
        max: 5 + i,
      })),
      { layer: 'ingress', service: 'ingress-nginx', name: 'nginx', count: n, p50: 14, p90: 30, p99: 300, max: 905 },
      {
        layer: 'ingress',
        service: 'ingress-nginx',
        name: 'upstream.attempt',
        count: n + 4,
        p50: 12,
        p90: 28,
        p99: 290,
        max: 900,
      },
      { layer: 'app', service: 'orders', name: 'GET /api/orders', count: n, p50: 10, p90: 25, p99: 280, max: 890 },
      { layer: 'downstream', service: 'inventory', name: 'SELECT stock', count: n, p50: 3, p90: 9, p99: 250, max: 850 },
      ...Array.from({ length: 60 }, (_, i) => ({
        layer: 'app' as const,
        service: 'orders',
        name: `handler.step.${String(i).padStart(2, '0')}`,
        count: n,
        p50: 0.1 * i,
        p90: 0.2 * i,
        p99: 0.3 * i,
        max: 0.4 * i,
      })),
    ],
    tail: tail(99, sorted, sentence),
    tails: [tail(99, sorted, sentence), tail(95, sorted, 'p95 …'), tail(90, sorted, 'p90 …')],
    pods: pods.map((pod, i) => ({ pod, count: Math.ceil(n / pods.length), p50: 14 + i, p99: 300 + 40 * i, errors: i })),
    failures: [
      { status: 502, layer: 'ingress', count: errors, example: 'upstream prematurely closed connection' },
      { layer: 'client', count: 1, example: 'connect ECONNRESET' },
    ],
    retries: [{ upstream: pods[0], retries: 4 }],
    histogram: histogram(sorted),
    probes,
    diagnostics: [{ code: 'burst.partial-traces', severity: 'warning', message: '3 requests have no app spans.' }],
  };
}

export function burstMessage(over: Partial<BurstMessage> = {}): BurstMessage {
  return {
    type: 'burst',
    id: 'b1',
    title: 'Burst of 400 GET /orders',
    source: 'burst',
    report: burstReport(),
    ...over,
  };
}

export const HOSTILE = {
  pod: '<img src=x onerror="window.__pwned=1">',
  path: '/orders"><script>window.__pwned=2</script>',
  span: 'javascript:window.__pwned=3',
  control: 'evil\u001b[2J\u202eesrever',
};

export function hostileReport(): BurstReport {
  const r = burstReport(60, [HOSTILE.pod, HOSTILE.control]);
  r.route = HOSTILE.path;
  r.tail.sentence = `p99 is in ${HOSTILE.span} <b>bold</b>`;
  r.spans[0] = { ...r.spans[0], name: HOSTILE.span, service: HOSTILE.pod };
  r.probes = r.probes.map((p) => ({ ...p, path: HOSTILE.path, error: HOSTILE.control }));
  r.failures[0].example = HOSTILE.path;
  return r;
}
