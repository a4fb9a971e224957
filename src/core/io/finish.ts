// The last step of every import: checks that hold across a whole trace, clock-skew correction (as for probes)
// and the critical path. Imports keep their tree as given (no re-parenting): the file is the record.
import type { CriticalSection, Diagnostic, Span, Trace } from '../trace/model';
import { criticalPath } from '../trace/critical-path';
import { correctClockSkew } from '../trace/skew';
import { explicitLayer } from './group';

const MAX_PER_CODE = 20;

export function finishTrace(trace: Trace): Trace {
  const diagnostics: Diagnostic[] = [...trace.diagnostics];
  if (!plainTree(trace.spans)) treeDiagnostics(trace, diagnostics);
  refineLayers(trace);
  // A span moved here says so (kubetrace.clock_skew_ns); a trace already corrected is left as it is.
  diagnostics.push(...correctClockSkew(trace.spans));
  if (!validPath(trace)) {
    const path = criticalPath(trace.spans);
    trace.criticalPath = path.sections;
    diagnostics.push(...path.diagnostics);
  }
  trace.diagnostics = diagnostics.length ? capPerCode(dedupe(diagnostics)) : diagnostics;
  return trace;
}

// An access log's trace has five spans or so: looking through them beats building a Map.
const FEW = 16;

/** A few spans with distinct ids whose parents are all present: nothing for treeDiagnostics to say. */
function plainTree(spans: Span[]): boolean {
  if (spans.length > FEW) return false;
  for (let i = 0; i < spans.length; i++) {
    const id = spans[i].spanId;
    const parent = spans[i].parentSpanId;
    let found = parent === undefined;
    for (let j = 0; j < spans.length; j++) {
      if (j < i && spans[j].spanId === id) return false;
      if (!found && spans[j].spanId === parent) found = true;
    }
    if (!found) return false;
  }
  return true;
}

/** Repeated span ids, and parents that are not in the trace. */
function treeDiagnostics(trace: Trace, diagnostics: Diagnostic[]): void {
  const counts = new Map<string, number>();
  for (const s of trace.spans) counts.set(s.spanId, (counts.get(s.spanId) ?? 0) + 1);
  for (const [id, n] of counts) {
    if (n > 1) {
      diagnostics.push({
        code: 'duplicate-span-id',
        severity: 'warning',
        spanId: id,
        message: `span id ${id} appears ${n} times in trace ${trace.traceId}; all ${n} spans are kept`,
      });
    }
  }
  const missing = new Set<string>();
  for (const s of trace.spans)
    if (s.parentSpanId !== undefined && !counts.has(s.parentSpanId)) missing.add(s.parentSpanId);
  if (missing.size) {
    const list = [...missing].slice(0, 5).join(', ');
    diagnostics.push({
      code: 'missing-parent',
      severity: 'info',
      message:
        `${missing.size} parent span${missing.size > 1 ? 's are' : ' is'} not in the ` +
        `trace (${list}${missing.size > 5 ? ', ...' : ''}); their children show as roots`,
    });
  }
}

/** A path read back from Kubetrace's own JSON is kept when every section still names its span. */
function validPath(trace: Trace): boolean {
  const path: CriticalSection[] | undefined = trace.criticalPath;
  if (!Array.isArray(path) || !path.length) return false;
  return path.every((c) => trace.spans[c.index]?.spanId === c.spanId);
}

/** The first service reached after the ingress is the app; other guessed "app" services are downstream of it. */
function refineLayers(trace: Trace): void {
  let first: { service: string; start: bigint } | undefined;
  for (const s of trace.spans) {
    if (s.layer !== 'app' || s.kind !== 'server') continue;
    const start = safeBig(s.startTimeUnixNano);
    if (!first || start < first.start) first = { service: s.service, start };
  }
  if (!first) return;
  for (const s of trace.spans) {
    if (s.layer === 'app' && s.service !== first.service && !explicitLayer.has(s)) s.layer = 'downstream';
  }
}

// A trace read back from Kubetrace's own JSON already carries these diagnostics.
function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.code}\n${d.spanId ?? ''}\n${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function safeBig(v: string): bigint {
  try {
    return BigInt(v);
  } catch {
    return 0n;
  }
}

/** One bad field repeated over 100,000 spans should not give 100,000 lines. */
export function capPerCode(list: Diagnostic[]): Diagnostic[] {
  const seen = new Map<string, number>();
  const out: Diagnostic[] = [];
  for (const d of list) {
    const n = (seen.get(d.code) ?? 0) + 1;
    seen.set(d.code, n);
    if (n <= MAX_PER_CODE) out.push(d);
  }
  for (const [code, n] of seen) {
    if (n > MAX_PER_CODE) {
      const first = list.find((d) => d.code === code) as Diagnostic;
      out.push({
        code,
        severity: first.severity,
        message: `${n - MAX_PER_CODE} more "${code}" diagnostics like the ones above`,
      });
    }
  }
  return out;
}
