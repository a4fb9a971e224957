// What each line of a controller pod's log is, as `kubectl logs` prints it: access lines (and which format family),
// nginx error-log lines, klog lines, the controller's start banner, stream (TCP/UDP) lines, other JSON, other text.
// Cheap tests on the head of the line only: the parsers decide whether an access line can really be read.
import { looksLikeAccessLog } from '../nginx-log/parse';
import { errorMessage } from '../../errors';

export type FormatFamily = 'nginx-log' | 'envoy-log' | 'traefik-log' | 'haproxy-log';
export const FORMAT_FAMILIES: readonly FormatFamily[] = ['nginx-log', 'envoy-log', 'traefik-log', 'haproxy-log'];

export type LineClass =
  | { kind: 'access'; family: FormatFamily }
  | { kind: 'nginx-error' }
  | { kind: 'controller' } // klog, Envoy/Traefik/HAProxy diagnostics, Go panics' stack lines
  | { kind: 'banner' }
  | { kind: 'stream' }
  | { kind: 'json' }
  | { kind: 'other' }
  | { kind: 'blank' };

export type LineKind = LineClass['kind'];

// `kubectl logs --timestamps` and container runtimes put an RFC 3339 time before the line.
export const RUNTIME_PREFIX =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}) (?:(?:stdout|stderr) [FP] )?/;

/** `2023/03/08 16:02:40 [error] 31#31: *569 …` (also `[debug]` lines of a debug error log). */
export const NGINX_ERROR_HEAD =
  /^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \[(?:debug|info|notice|warn|error|crit|alert|emerg)\] \d+#\d+: /;
// klog: `I0308 16:02:40.123456       7 main.go:104] …`
const KLOG = /^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6}\s+\d+ [^\s:]+:\d+\] /;
// Envoy's own log: `[2024-03-07 03:12:20.518][1][warning][main] [source/server/server.cc:910] …`
const ENVOY_DIAG = /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\]\[\d+\]\[\w+\]/;
// Traefik: v2 logrus text, v3 zerolog console (`2023-01-08T12:28:57Z INF …`); HAProxy: `[NOTICE]   (1) : …`.
// (zerolog's leading time looks like a runtime prefix, so it is already gone here).
const TRAEFIK_DIAG = /^(?:time="[^"]*" level=\w+ |(?:TRC|DBG|INF|WRN|ERR|FTL|PNC) )/;
// Istio's pilot-agent and other zap loggers: `2026-03-08T16:02:40.000000Z\tinfo\t…`.
const ZAP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\t(?:debug|info|warn|error|fatal)\t/;
const HAPROXY_DIAG = /^\[(?:NOTICE|WARNING|ALERT|INFO|DEBUG|EMERG)\] +(?:\(\d+\) )?[:(]/;
const GO_PANIC = /^(?:panic: |goroutine \d+ \[|\t\S+\.go:\d+|created by )/;
const BANNER =
  /^(?:-{20,}$|NGINX Ingress [Cc]ontroller\b|\s+(?:Release|Build|Repository|nginx version|Commit|Version):|nginx version: )/;
// ingress-nginx `log-format-stream`: `[$remote_addr] [$time_local] $protocol $status …` (before 0.21 without the address).
const STREAM = /^(?:\[[^\]\s]*\] )?\[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] (?:TCP|UDP) \d{3} /;
// HAProxy `option httplog`, after an optional syslog header (`<134>Apr 10 10:32:50 host haproxy[7]: `).
export const HAPROXY_SYSLOG =
  /^(?:<\d{1,3}>\d? ?)?(?:(?:[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+) \S+ \S+?(?:\[\d+\])?: )?/;
const HAPROXY_HEAD =
  /^\S+:\d+ \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2}\.\d{3}\] \S+ \S+\/\S+ -?\d+\/-?\d+\/-?\d+\/-?\d+\/\+?-?\d+ /;
// Envoy/Istio default text: `[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 …`
const ENVOY_TEXT = /^\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\] "/;
// Traefik CLF ends with `<count> "<router>" "<server URL>" <N>ms`.
const TRAEFIK_CLF_TAIL = /\d+ "[^"]*" "[^"]*" \d+ms$/;
const TRAEFIK_CLF_HEAD = /^\S+ - \S+ \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "/;

const HEAD = 4096;

export function stripRuntimePrefix(line: string): string {
  const m = RUNTIME_PREFIX.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/**
 * Runs a proxy's line parser on one line as `kubectl logs` prints it: a bounded length, the container runtime's
 * prefix and a trailing CR removed, and never an exception (a bug in a parser is one unreadable line, not a crash).
 */
export function parseLogLine<R>(
  line: string,
  maxChars: number,
  parse: (body: string) => R | { error: string },
): R | { error: string } {
  try {
    if (typeof line !== 'string') return { error: 'not a string' };
    if (line.length > maxChars) return { error: `line is ${line.length} characters long, over the ${maxChars} limit` };
    return parse(stripRuntimePrefix(line.replace(/\r$/, '')));
  } catch (e) {
    return { error: `internal parser error: ${errorMessage(e)}` };
  }
}

export function classifyLine(raw: string): LineClass {
  const body = stripRuntimePrefix(raw.length > HEAD ? raw.slice(0, HEAD) : raw);
  // A runtime timestamp with nothing after it (`kubectl logs --timestamps` of an empty line, or a cut line) is still
  // a line the user sees: it is counted, never dropped as blank.
  if (!body.trim()) return raw.trim() ? { kind: 'other' } : { kind: 'blank' };
  const c = body.charCodeAt(0);
  if (c === 123 /* { */ || (c === 32 && body.trimStart().startsWith('{'))) return classifyJson(body.trimStart(), raw);
  if (NGINX_ERROR_HEAD.test(body)) return { kind: 'nginx-error' };
  if (ENVOY_TEXT.test(body)) return { kind: 'access', family: 'envoy-log' };
  if (raw.trimEnd().endsWith('ms') && TRAEFIK_CLF_HEAD.test(body) && TRAEFIK_CLF_TAIL.test(raw.trimEnd()))
    return { kind: 'access', family: 'traefik-log' };
  if (looksLikeAccessLog(body)) return { kind: 'access', family: 'nginx-log' };
  if (HAPROXY_HEAD.test(body.slice(HAPROXY_SYSLOG.exec(body)?.[0].length ?? 0)))
    return { kind: 'access', family: 'haproxy-log' };
  if (STREAM.test(body)) return { kind: 'stream' };
  if (
    KLOG.test(body) ||
    ZAP.test(body) ||
    ENVOY_DIAG.test(body) ||
    TRAEFIK_DIAG.test(body) ||
    HAPROXY_DIAG.test(body) ||
    GO_PANIC.test(body)
  )
    return { kind: 'controller' };
  if (BANNER.test(body)) return { kind: 'banner' };
  return { kind: 'other' };
}

// Keys that only an access record has, per family; the first match wins.
const ENVOY_KEYS = /"(?:start_time|response_code|upstream_host|response_flags)"\s*:/;
const TRAEFIK_KEYS = /"(?:DownstreamStatus|RequestMethod|ClientHost|OriginStatus)"\s*:/;
const NGINX_KEYS = /"(?:status|request|request_uri|uri|path|remote_addr|upstream_addr)"\s*:/i;
const LOG_KEYS = /"(?:level|msg|severity)"\s*:/;

function classifyJson(body: string, raw: string): LineClass {
  const head = raw.length > 65536 ? raw.slice(0, 65536) : raw;
  if (TRAEFIK_KEYS.test(head)) return { kind: 'access', family: 'traefik-log' };
  if (ENVOY_KEYS.test(head)) return { kind: 'access', family: 'envoy-log' };
  // A structured diagnostic line (`{"level":"info","msg":…}`) is the controller talking, not a request.
  if (LOG_KEYS.test(head) && !/"(?:status|request)"\s*:/.test(head)) return { kind: 'controller' };
  if (NGINX_KEYS.test(head) && looksLikeAccessLog(body)) return { kind: 'access', family: 'nginx-log' };
  return { kind: 'json' };
}
