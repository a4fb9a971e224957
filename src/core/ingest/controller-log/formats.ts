// The access-log formats Kubetrace reads, one parser per format id, grouped in families (the `--format` values).
// `parserFor(id)` is what the controller registry uses to read a controller's default log.
import type { SpanBatch } from '../../trace/model';
import { parseAccessLogLine } from '../nginx-log/parse';
import { nginxSpansFromRecord, type NginxSpanContext } from '../nginx-log/spans';
import type { AccessLogRecord } from '../nginx-log/types';
import type { FormatFamily } from './classify';
import { parseEnvoyLine, type EnvoyRecord } from '../envoy-log/parse';
import { envoySpans } from '../envoy-log/spans';
import { parseHaproxyLine, type HaproxyRecord } from '../haproxy-log/parse';
import { haproxySpans } from '../haproxy-log/spans';
import { parseTraefikLine, type TraefikRecord } from '../traefik-log/parse';
import { traefikSpans } from '../traefik-log/spans';

export type FormatId =
  | 'ingress-nginx' // ingress-nginx `upstreaminfo` (all its versions), nginx JSON formats
  | 'nic-main' // F5 NGINX Ingress Controller `main`
  | 'nginx-combined' // NGINX Gateway Fabric, plain nginx
  | 'envoy-text' // Envoy's default text format, Istio's default
  | 'envoy-gateway-json' // Envoy Gateway's default JSON
  | 'traefik-clf'
  | 'traefik-json'
  | 'haproxy-httplog';

/** What every family's span builder gets; the nginx one takes the same (it was first). */
export type SpanContext = NginxSpanContext;

export interface ProxyLogParser<R = unknown> {
  id: FormatId;
  family: FormatFamily;
  /** Never throws: a record, or why the line cannot be read. */
  parse(line: string): { record: R } | { error: string };
  spans(record: R, ctx: SpanContext): SpanBatch;
  /** The request id the line carries (X-Request-ID), if its format logs one. */
  requestId(record: R): string | undefined;
  /** The line's time (end of the request where the format says so), Unix ms, for matching other lines. */
  timeUnixMs(record: R): number | undefined;
}

const nginx = (id: FormatId): ProxyLogParser<AccessLogRecord> => ({
  id,
  family: 'nginx-log',
  parse: parseAccessLogLine,
  spans: nginxSpansFromRecord,
  requestId: (r) => r.reqId,
  timeUnixMs: (r) => (r.msec !== undefined ? r.msec * 1000 : r.timeUnixMs),
});

const PARSERS = new Map<FormatId, ProxyLogParser>();
const FAMILY_DEFAULT = new Map<FormatFamily, ProxyLogParser>();

/** Registers a parser; the first one of a family is the family's reader for import. */
export function registerParser(p: ProxyLogParser<never>): void {
  const q = p as unknown as ProxyLogParser;
  PARSERS.set(p.id, q);
  if (!FAMILY_DEFAULT.has(p.family)) FAMILY_DEFAULT.set(p.family, q);
}

for (const id of ['ingress-nginx', 'nic-main', 'nginx-combined'] as const)
  registerParser(nginx(id) as ProxyLogParser<never>);

// Each family's parser reads every format of its family (text and JSON alike), so one id's parser reads the others too.
const envoy = (id: FormatId): ProxyLogParser<EnvoyRecord> => ({
  id,
  family: 'envoy-log',
  parse: parseEnvoyLine,
  spans: envoySpans,
  requestId: (r) => r.requestId,
  timeUnixMs: (r) => r.startUnixMs + (r.durationMs ?? 0),
});
const traefik = (id: FormatId): ProxyLogParser<TraefikRecord> => ({
  id,
  family: 'traefik-log',
  parse: parseTraefikLine,
  spans: traefikSpans,
  requestId: (r) => r.requestId ?? r.traceId,
  timeUnixMs: (r) => r.startUnixMs + Number(r.durationNs / 1_000_000n),
});
const haproxy: ProxyLogParser<HaproxyRecord> = {
  id: 'haproxy-httplog',
  family: 'haproxy-log',
  parse: parseHaproxyLine,
  spans: haproxySpans,
  // Only when the controller captures the X-Request-ID header (`capture request header X-Request-ID`).
  requestId: (r) => (r.capturedRequest && /^[0-9a-f]{32}$/i.test(r.capturedRequest) ? r.capturedRequest : undefined),
  timeUnixMs: (r) => r.startUnixMs + Math.max(0, r.timers.Ta),
};
for (const p of [
  envoy('envoy-text'),
  envoy('envoy-gateway-json'),
  traefik('traefik-clf'),
  traefik('traefik-json'),
  haproxy,
])
  registerParser(p as ProxyLogParser<never>);

/** The parser for one controller's default format. */
export function parserFor(id: FormatId): ProxyLogParser {
  const p = PARSERS.get(id);
  if (!p) throw new Error(`no access-log parser for format "${id}"`);
  return p;
}

/** The parser import uses for a whole family (each reads every format of its family). */
export function familyParser(family: FormatFamily): ProxyLogParser | undefined {
  return FAMILY_DEFAULT.get(family);
}
