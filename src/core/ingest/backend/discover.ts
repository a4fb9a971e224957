// Finding trace backends among a cluster's Services, choosing one, and reading the `kubetrace.traceBackend` setting.
import type { Diagnostic } from '../../trace/model';
import type { BackendCandidate, BackendKind } from './types';

export interface ServiceInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports: { name?: string; port: number }[];
}

/** Well-known query ports: Jaeger query 16686 (api_v3, falling back to the UI API), Tempo 3200, Zipkin 9411. */
const QUERY_PORTS: Record<number, BackendKind> = { 16686: 'jaeger-v3', 3200: 'tempo', 9411: 'zipkin' };

// 9411 is also the Zipkin *receiver* port of Jaeger collectors, Tempo distributors and OTel collectors,
// which accept spans but cannot be queried. Tempo components other than the query path cannot answer either.
const NOT_QUERYABLE = /collector|distributor|ingester|compactor|metrics-generator|memcached|agent/;

export function discoverBackends(services: ServiceInfo[]): BackendCandidate[] {
  const out: BackendCandidate[] = [];
  for (const svc of services) {
    const text = `${svc.name} ${Object.values(svc.labels).join(' ')}`.toLowerCase();
    const component = (svc.labels['app.kubernetes.io/component'] ?? '').toLowerCase();
    for (const p of svc.ports) {
      const kind = QUERY_PORTS[p.port] ?? byPortName(p.name, text);
      if (!kind) continue;
      let score = QUERY_PORTS[p.port] ? 50 : 30;
      const family = kind === 'jaeger-v3' ? 'jaeger' : kind;
      if (text.includes(family)) score += 30;
      if (kind === 'zipkin' && /jaeger|tempo|otel|opentelemetry/.test(text)) continue;
      if (NOT_QUERYABLE.test(`${svc.name} ${component}`) && !/query/.test(`${svc.name} ${component}`)) continue;
      if (/query/.test(`${svc.name} ${component} ${p.name ?? ''}`)) score += 10;
      if (svc.namespace === 'kube-system') score -= 5;
      out.push({
        kind,
        namespace: svc.namespace,
        service: svc.name,
        port: p.port,
        score,
        reason:
          `Service ${svc.namespace}/${svc.name} has port ${p.port}` +
          `${p.name ? ` (${p.name})` : ''}, ${describeKind(kind)}'s query port`,
      });
    }
  }
  // One candidate per Service and kind, best first.
  const seen = new Set<string>();
  return out
    .sort(
      (a, b) =>
        (b.score ?? 0) - (a.score ?? 0) || `${a.namespace}/${a.service}`.localeCompare(`${b.namespace}/${b.service}`),
    )
    .filter((c) => {
      const k = `${c.kind} ${c.namespace}/${c.service}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/** Where clusters usually run their tracing stack; a backend elsewhere (but in the route's namespace) is unusual. */
export const OBSERVABILITY_NAMESPACES = new Set([
  'observability',
  'monitoring',
  'tracing',
  'jaeger',
  'tempo',
  'zipkin',
  'opentelemetry',
  'otel',
  'telemetry',
  'grafana',
  'istio-system',
  'kube-system',
]);

/**
 * One backend for a probe, never several: spans from every discovered Service would let any tenant who runs a
 * Service on port 16686 put spans (names, attributes) into another team's trace. Candidates in the route's own
 * namespace or an observability namespace come first; a backend chosen from anywhere else is named in a warning.
 */
export function chooseBackend(
  candidates: BackendCandidate[],
  routeNamespace: string | undefined,
): { chosen?: BackendCandidate; diagnostics: Diagnostic[] } {
  const usual = (c: BackendCandidate) =>
    !c.namespace || c.namespace === routeNamespace || OBSERVABILITY_NAMESPACES.has(c.namespace);
  const ranked = [...candidates].sort((a, b) => Number(usual(b)) - Number(usual(a)) || (b.score ?? 0) - (a.score ?? 0));
  const chosen = ranked[0];
  const diagnostics: Diagnostic[] = [];
  if (!chosen) return { diagnostics };
  const where = (c: BackendCandidate) => `${c.namespace}/${c.service}:${c.port}`;
  if (!usual(chosen))
    diagnostics.push({
      code: 'backend-unusual-namespace',
      severity: 'warning',
      message:
        `the trace backend ${where(chosen)} is outside the route's namespace${routeNamespace ? ` (${routeNamespace})` : ''}` +
        ` and the usual observability namespaces; its spans are in this trace`,
      hint:
        'if that is not your tracing backend, pin the right one with kubetrace.traceBackend ' +
        '(CLI: --trace-backend), e.g. observability/jaeger-query:16686',
    });
  if (ranked.length > 1)
    diagnostics.push({
      code: 'backend-chosen',
      severity: 'info',
      message: `read spans from ${where(chosen)} only, the best of ${ranked.length} trace backends found (also: ${ranked
        .slice(1, 4)
        .map(where)
        .join(', ')}${ranked.length > 4 ? ', ...' : ''})`,
      hint: 'pin another with kubetrace.traceBackend (CLI: --trace-backend)',
    });
  return { chosen, diagnostics };
}

function byPortName(name: string | undefined, text: string): BackendKind | undefined {
  if (!name) return undefined;
  const n = name.toLowerCase();
  if (/jaeger/.test(text) && /^(http-)?query$/.test(n)) return 'jaeger-v3';
  if (/tempo/.test(text) && /^(http|http-metrics|tempo-prom-metrics)$/.test(n)) return 'tempo';
  if (/zipkin/.test(text) && /^(http|http-query|query)$/.test(n)) return 'zipkin';
  return undefined;
}

function describeKind(k: BackendKind): string {
  return k === 'jaeger-v3' || k === 'jaeger' ? 'Jaeger' : k === 'tempo' ? 'Tempo' : 'Zipkin';
}

const KIND_PREFIXES: Record<string, BackendKind> = {
  jaeger: 'jaeger-v3',
  'jaeger-v3': 'jaeger-v3',
  'jaeger-v1': 'jaeger',
  tempo: 'tempo',
  zipkin: 'zipkin',
};

/**
 * Reads the setting: a URL (`https://jaeger.example:16686`), a Service (`observability/jaeger-query:16686`, port
 * number or name), either one with a kind prefix (`tempo+monitoring/tempo:3200`, `jaeger+http://...`).
 * Without a prefix the kind comes from the port. `auto` is not one backend: it means discoverBackends.
 */
export function parseBackendSetting(value: string): BackendCandidate | { error: string } {
  const v = value.trim();
  if (!v) return { error: 'the setting is empty' };
  if (v === 'auto') return { error: '"auto" means discovery (discoverBackends), not one backend' };
  let kind: BackendKind | undefined;
  let rest = v;
  const m = /^([a-z0-9-]+)\+(.*)$/i.exec(v);
  if (m) {
    kind = KIND_PREFIXES[m[1].toLowerCase()];
    if (!kind) return { error: `unknown backend kind "${m[1]}" (use ${Object.keys(KIND_PREFIXES).join(', ')})` };
    rest = m[2];
  }
  if (/^https?:\/\//i.test(rest)) {
    let url: URL;
    try {
      url = new URL(rest);
    } catch {
      return { error: `"${rest}" is not a valid URL` };
    }
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    kind ??= QUERY_PORTS[port];
    if (!kind)
      return { error: `cannot tell which backend ${url.host} is from its port; prefix the kind, e.g. tempo+${rest}` };
    return { kind, url: rest, reason: `the setting names ${url.protocol}//${url.host}` };
  }
  const s = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?):([a-z0-9-]+)$/i.exec(rest);
  if (!s)
    return { error: `"${v}" is neither a URL nor namespace/service:port (e.g. observability/jaeger-query:16686)` };
  const portText = s[5];
  const port: number | string = /^\d+$/.test(portText) ? Number(portText) : portText;
  if (typeof port === 'number' && (port < 1 || port > 65535)) return { error: `port ${port} is out of range` };
  kind ??= typeof port === 'number' ? QUERY_PORTS[port] : undefined;
  if (!kind)
    return {
      error: `cannot tell which backend ${s[1]}/${s[3]}:${portText} is from its port; prefix the kind, e.g. jaeger+${rest}`,
    };
  return {
    kind,
    namespace: s[1],
    service: s[3],
    port,
    reason: `the setting names Service ${s[1]}/${s[3]} port ${portText}`,
  };
}
