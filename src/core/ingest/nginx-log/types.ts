// The record one access-log line becomes, whatever format it was written in.

export type AccessLogFormat =
  | 'ingress-nginx'
  | 'ingress-nginx+timings'
  | 'ingress-nginx-method-uri'
  | 'ingress-nginx-legacy'
  | 'json'
  | 'combined'
  | 'nic-main';

/** One entry of `$upstream_addr` and the entries at the same position in the other upstream variables. */
export interface UpstreamTry {
  /** `host:port`, `unix:/path` or an upstream group name; null when nginx logged `-`. */
  addr: string | null;
  status?: number;
  /** Seconds, as nginx logs them (millisecond resolution). */
  responseTime?: number;
  connectTime?: number;
  headerTime?: number;
  responseLength?: number;
  /** Index of the internal-redirect group (groups are separated by ` : `). */
  group: number;
}

export interface AccessLogRecord {
  format: AccessLogFormat;
  remoteAddr?: string;
  remoteUser?: string;
  timeLocal?: string;
  timeUnixMs?: number;
  method?: string;
  uri?: string;
  protocol?: string;
  request?: string;
  status?: number;
  bodyBytesSent?: number;
  referer?: string;
  userAgent?: string;
  requestLength?: number;
  /** Seconds. */
  requestTime?: number;
  proxyUpstreamName?: string;
  proxyAlternativeUpstreamName?: string;
  upstreams: UpstreamTry[];
  reqId?: string;
  /** `$msec`: Unix seconds with millisecond resolution, the time the log line was written. */
  msec?: number;
  namespace?: string;
  ingressName?: string;
  serviceName?: string;
  servicePort?: string;
  /** Fields the format carried that have no place above (unknown JSON keys, trailing words). */
  extra: Record<string, string>;
  /** nginx variables exactly as logged (name without `$`), so spans can show them and math can stay exact. */
  vars: Record<string, string>;
  /** Things that parsed but looked wrong (e.g. upstream lists of different lengths). */
  warnings: string[];
}

export type ParseResult = { record: AccessLogRecord } | { error: string };
