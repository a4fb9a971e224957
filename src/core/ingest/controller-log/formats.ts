// The access-log formats Kubetrace reads, one parser per format id, grouped in families (the `--format` values).
// `parserFor(id)` is what the controller registry uses to read a controller's default log.
import type { SpanBatch } from '../../trace/model';
import { parseAccessLogLine } from '../nginx-log/parse';
import { nginxSpansFromRecord, type NginxSpanContext } from '../nginx-log/spans';
import type { AccessLogRecord } from '../nginx-log/types';
import type { FormatFamily } from './classify';

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
