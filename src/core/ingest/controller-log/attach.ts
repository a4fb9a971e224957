// nginx error-log lines become events on the request they explain. nginx writes the error line before the access
// line, so errors wait here until an access line claims them:
// - exactly, when the error's connection (`*569`) carried the request's X-Request-ID (seen in a debug log);
// - otherwise by client address + request line (+ host) with the error inside the request's time window.
// An error that fits two requests is attached to neither: the traces say so in a diagnostic, nothing is guessed.
import type { Diagnostic, Span, Trace } from '../../trace/model';
import type { NginxErrorLine } from '../nginx-log/error-line';
import type { AccessLogRecord } from '../nginx-log/types';
import { splitHostPort } from '../nginx-log/spans';

export interface HeldTrace {
  trace: Trace;
  waiting: number; // errors not yet decided
}

interface PendingError {
  e: NginxErrorLine;
  lineNumber: number;
  reqId?: string;
  claims: { held: HeldTrace; rec: AccessLogRecord }[];
}

const EXPLAINS = new Set(['warn', 'error', 'crit', 'alert', 'emerg']);
/** How long after an error line (log time) a request that ends may still claim it: nginx's longest default timeouts. */
const CLAIM_WINDOW_MS = 120_000;
const MAX_PENDING = 20_000;
const MAX_CONNECTIONS = 100_000;
const REQUEST_ID_HEADER = /^http header: "X-Request-ID: (.*)"$/i;

export class ErrorAttacher {
  private pending: PendingError[] = [];
  private held: HeldTrace[] = [];
  private requestIdByConnection = new Map<number, string>();
  private now: number;
  private touched = false;
  attached = 0;

  constructor(startTime = 0) {
    this.now = startTime;
  }

  /** The latest log time seen (Unix ms). */
  get time(): number {
    return this.now;
  }

  /**
   * Whether an error ever waited for a request or a connection's request id was learnt. Until then what this
   * attacher did for a line depended on nothing before it but `time`, so lines read apart give the same result.
   */
  get stateful(): boolean {
    return this.touched;
  }

  /** An error-log line of any level: debug lines teach connection → request id, warn and above wait for a request. */
  onErrorLine(e: NginxErrorLine, lineNumber: number): boolean {
    this.advance(e.timeUnixMs);
    if (e.level === 'debug') {
      const m = e.connection !== undefined ? REQUEST_ID_HEADER.exec(e.message) : null;
      if (m) {
        if (this.requestIdByConnection.size >= MAX_CONNECTIONS) this.requestIdByConnection.clear();
        this.touched = true;
        this.requestIdByConnection.set(e.connection as number, m[1]);
      }
      return false;
    }
    if (!EXPLAINS.has(e.level)) return false;
    if (e.connection === undefined && e.client === undefined) return true; // about the process, not a request
    const reqId = e.connection !== undefined ? this.requestIdByConnection.get(e.connection) : undefined;
    this.pending.push({ e, lineNumber, reqId, claims: [] });
    this.touched = true;
    if (this.pending.length > MAX_PENDING) this.decide(this.pending.length - MAX_PENDING);
    return true;
  }

  /**
   * Moves the log time on to a request's end, and says whether no error waits and no trace is held: then onRequest
   * would give that request's trace straight back, and its trace may be written without going through here.
   */
  quiet(endUnixMs: number | undefined): boolean {
    if (endUnixMs !== undefined) this.advance(endUnixMs);
    return this.pending.length === 0 && this.held.length === 0;
  }

  /** Offers a request's trace; returns the traces that are ready to go out (this one, unless it must wait). */
  onRequest(trace: Trace, rec: AccessLogRecord, endUnixMs: number | undefined): Trace[] {
    if (endUnixMs !== undefined) this.advance(endUnixMs);
    const held: HeldTrace = { trace, waiting: 0 };
    const exact: PendingError[] = [];
    for (const p of this.pending) {
      if (p.reqId !== undefined) {
        if (rec.reqId !== undefined && p.reqId === rec.reqId) exact.push(p);
      } else if (fits(p.e, rec, endUnixMs)) {
        p.claims.push({ held, rec });
        held.waiting++;
      }
    }
    for (const p of exact) {
      this.attach(trace, rec, p);
      this.pending.splice(this.pending.indexOf(p), 1);
    }
    if (held.waiting === 0 && this.held.length === 0) return [trace];
    this.held.push(held);
    return this.release();
  }

  /** End of input: every waiting error is decided and every held trace goes out. */
  finish(): Trace[] {
    this.decide(this.pending.length);
    return this.release();
  }

  private advance(ms: number): void {
    if (ms <= this.now) return;
    this.now = ms;
    let k = 0;
    while (k < this.pending.length && this.pending[k].e.timeUnixMs + CLAIM_WINDOW_MS < ms) k++;
    if (k) this.decide(k);
  }

  // Decides the first k pending errors: one claim attaches, several make every claimant say it is ambiguous.
  private decide(k: number): void {
    const done = this.pending.splice(0, k);
    for (const p of done) {
      if (p.claims.length === 1) this.attach(p.claims[0].held.trace, p.claims[0].rec, p);
      else if (p.claims.length > 1) {
        for (const c of p.claims) c.held.trace.diagnostics.push(ambiguous(p, p.claims.length));
      }
      for (const c of p.claims) c.held.waiting--;
    }
  }

  private release(): Trace[] {
    const out: Trace[] = [];
    while (this.held.length && this.held[0].waiting <= 0) out.push((this.held.shift() as HeldTrace).trace);
    return out;
  }

  private attach(trace: Trace, rec: AccessLogRecord, p: PendingError): void {
    const target = spanFor(trace, p.e) ?? trace.spans[0];
    const name = p.e.level === 'warn' ? 'nginx.warn' : 'nginx.error';
    const attributes: Record<string, unknown> = {
      message: p.e.message,
      level: p.e.level,
      'kubetrace.log.line': p.lineNumber,
    };
    if (p.e.connection !== undefined) attributes.connection = p.e.connection;
    for (const k of ['client', 'server', 'request', 'upstream', 'host'] as const)
      if (p.e[k] !== undefined) attributes[k] = p.e[k];
    attributes['kubetrace.match'] = p.reqId !== undefined ? 'connection' : 'client+request+time';
    target.events.push({ timeUnixNano: clampedTime(p.e.timeUnixMs, target), name, attributes });
    this.attached++;
    trace.diagnostics.push(explain(target, rec, p.e));
  }
}

// Same client, same request line, same host when both say one, and logged while the request ran (the error log
// has 1 s resolution, hence the second of slack on each side).
function fits(e: NginxErrorLine, rec: AccessLogRecord, endMs: number | undefined): boolean {
  if (e.request === undefined || e.client === undefined || endMs === undefined) return false;
  if (e.request !== rec.request) return false;
  if (e.client !== rec.remoteAddr && e.client !== rec.vars.the_real_ip) return false;
  const host = rec.vars.host;
  if (e.host !== undefined && host !== undefined && e.host !== host) return false;
  const startMs = endMs - (rec.requestTime ?? 0) * 1000;
  return e.timeUnixMs >= Math.floor(startMs / 1000) * 1000 - 1000 && e.timeUnixMs <= endMs + 1000;
}

/** The upstream.attempt whose address the error names (`upstream: "http://10.0.0.7:8080/"`), if exactly one. */
function spanFor(trace: Trace, e: NginxErrorLine): Span | undefined {
  if (!e.upstream) return undefined;
  const m = /^[a-z]+:\/\/([^/]+)/i.exec(e.upstream);
  const addr = m ? m[1] : e.upstream;
  const hp = splitHostPort(addr);
  const attempts = trace.spans.filter(
    (s) =>
      s.name === 'upstream.attempt' &&
      (s.attributes['nginx.upstream_addr'] === addr ||
        (hp && s.attributes['nginx.upstream_addr'] === `${hp.host}:${hp.port}`)),
  );
  // Retries to the same peer: the error belongs to one of them, but which is not written down; the failed one.
  const failed = attempts.filter((s) => s.status === 'error');
  if (attempts.length === 1) return attempts[0];
  if (failed.length === 1) return failed[0];
  return undefined;
}

function clampedTime(ms: number, span: Span): string {
  const t = BigInt(ms) * 1_000_000n;
  const a = BigInt(span.startTimeUnixNano);
  const b = BigInt(span.endTimeUnixNano);
  return String(t < a ? a : t > b ? b : t);
}

function explain(span: Span, rec: AccessLogRecord, e: NginxErrorLine): Diagnostic {
  const status = span.attributes['http.response.status_code'] ?? rec.status;
  const rt = span.name === 'upstream.attempt' ? span.attributes['nginx.upstream_response_time'] : rec.requestTime;
  const after = typeof rt === 'number' ? ` after ${rt.toFixed(2)} s` : '';
  const upstream = e.upstream ? ` ${e.upstream.replace(/^[a-z]+:\/\/([^/]+).*$/i, '$1')}` : '';
  return {
    code: e.level === 'warn' ? 'nginx-warn-line' : 'nginx-error-line',
    severity: e.level === 'warn' ? 'warning' : 'error',
    spanId: span.spanId,
    message: `${status ?? '-'}${after}: ${e.message}${upstream && !e.message.includes(upstream.trim()) ? upstream : ''}`,
    hint: hintFor(e.message),
  };
}

function ambiguous(p: PendingError, n: number): Diagnostic {
  return {
    code: 'nginx-error-ambiguous',
    severity: 'info',
    message:
      `nginx ${p.e.level} line ${p.lineNumber} ("${p.e.message.slice(0, 120)}") fits ${n} requests ` +
      '(same client and request line in the same seconds), so it is attached to none.',
    hint: 'Log $connection or enable the debug log to match error lines to requests exactly.',
  };
}

const HINTS: [RegExp, string][] = [
  [
    /timed out/,
    'The backend did not answer in time: compare its latency with proxy-connect-timeout / proxy-read-timeout.',
  ],
  [/Connection refused/, 'Nothing listens on that address: check the pod is ready and the Service targetPort.'],
  [/prematurely closed/, 'The backend closed the connection mid-response: check its logs and keepalive timeout.'],
  [/no live upstreams/, 'Every endpoint is marked down: check readiness and the Service endpoints.'],
  [/limiting requests/, 'A rate limit (limit-rps / limit_req) rejected or delayed the request.'],
  [/too large body/, 'The body exceeds client_max_body_size (proxy-body-size).'],
  [/SSL/, 'A TLS handshake failed: check certificates and protocols on both sides.'],
];

function hintFor(message: string): string | undefined {
  return HINTS.find(([re]) => re.test(message))?.[1];
}
