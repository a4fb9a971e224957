// Reading code locations out of a span: code.* attributes (stable and deprecated names) and stack traces
// from exception events or attributes. Imports (Jaeger, Zipkin) often carry numbers as strings; both are accepted.
import type { Span } from '../../trace/model';
import { parseStack, type Frame } from './stack';

export interface CodeLocation {
  file?: string;
  line?: number;
  column?: number;
  function?: string; // fully qualified where the span gave a namespace
  namespace?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
function int(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** code.* attributes, stable names first; null when the span has none of them. */
export function codeAttributes(attrs: Record<string, unknown>): CodeLocation | null {
  const file = str(attrs['code.file.path']) ?? str(attrs['code.filepath']);
  const line = int(attrs['code.line.number']) ?? int(attrs['code.lineno']);
  const column = int(attrs['code.column.number']) ?? int(attrs['code.column']);
  const namespace = str(attrs['code.namespace']);
  let fn = str(attrs['code.function.name']);
  if (!fn) {
    const old = str(attrs['code.function']);
    if (old) fn = namespace && !old.startsWith(namespace + '.') ? `${namespace}.${old}` : old;
  }
  if (!file && !fn && !namespace) return null;
  const loc: CodeLocation = {};
  if (file) loc.file = file;
  if (line !== undefined) loc.line = line;
  if (column !== undefined) loc.column = column;
  if (fn) loc.function = fn;
  if (namespace) loc.namespace = namespace;
  return loc;
}

const STACK_KEYS = ['exception.stacktrace', 'code.stacktrace', 'error.stack', 'stack', 'stacktrace'];

/** Every stack trace the span carries: exception events first (the error the user is looking at), then attributes. */
export function stackTraces(span: Pick<Span, 'attributes' | 'events'>): string[] {
  const out: string[] = [];
  for (const ev of span.events ?? []) {
    const a = ev?.attributes ?? {};
    if (ev?.name !== 'exception' && ev?.name !== 'error' && typeof a['exception.stacktrace'] !== 'string') continue;
    for (const k of STACK_KEYS) {
      const s = str(a[k]);
      if (s) {
        out.push(s);
        break;
      }
    }
  }
  for (const k of STACK_KEYS) {
    const s = str(span.attributes?.[k]);
    if (s) out.push(s);
  }
  return out;
}

/** Frames of all the span's stack traces, innermost first, app frames before library ones. */
export function stackFrames(span: Pick<Span, 'attributes' | 'events'>): { app: Frame[]; all: Frame[] } {
  const all = stackTraces(span).flatMap((s) => parseStack(s));
  return { all, app: all.filter((f) => !f.library && f.line !== undefined) };
}

/** For Java-style names ("com.x.OrderController.getOrder"): the source file suffix to look for, and the method. */
export function javaStyleTarget(loc: CodeLocation): { suffix: string; method: string } | null {
  const fq = loc.function ?? '';
  const ns = loc.namespace ?? fq.slice(0, Math.max(0, fq.lastIndexOf('.')));
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(ns)) return null;
  const method = fq.startsWith(ns + '.') ? fq.slice(ns.length + 1) : fq;
  if (!method || method.includes('.')) return null;
  const outer = ns.split('$')[0];
  const parts = outer.split('.');
  const cls = parts[parts.length - 1];
  if (!/^[A-Z]/.test(cls)) return null;
  return { suffix: parts.join('/'), method };
}
