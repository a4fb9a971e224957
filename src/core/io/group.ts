// Groups spans read from a file or a backend answer into Traces, in the order their trace ids first appear.
import { spanController } from '../controllers';
import type { Diagnostic, Layer, Span, Trace } from '../trace/model';

export class TraceCollector {
  private readonly byId = new Map<string, Trace>();
  /** Diagnostics about the input as a whole (not tied to one trace). */
  readonly diagnostics: Diagnostic[] = [];

  add(traceId: string, span: Span): void {
    this.trace(traceId).spans.push(span);
  }

  diag(traceId: string | undefined, d: Diagnostic): void {
    if (traceId === undefined) this.diagnostics.push(d);
    else this.trace(traceId).diagnostics.push(d);
  }

  has(traceId: string): boolean {
    return this.byId.has(traceId);
  }
  get size(): number {
    return this.byId.size;
  }

  /** Removes and returns every trace collected so far. */
  drain(): Trace[] {
    const out = [...this.byId.values()];
    this.byId.clear();
    return out;
  }

  private trace(traceId: string): Trace {
    let t = this.byId.get(traceId);
    if (!t) {
      t = { traceId, spans: [], criticalPath: [], diagnostics: [] };
      this.byId.set(traceId, t);
    }
    return t;
  }
}

/** Layers that came from the data itself (`kubetrace.layer`), which finishTrace must not second-guess. */
export const explicitLayer = new WeakSet<Span>();

/**
 * A first guess at a span's layer from what one span shows; finishTrace refines it across the trace.
 * A span the controller registry recognizes (scope, service pattern, attributes) is the ingress layer;
 * a service named like a proxy still counts, for traces from controllers the registry does not know.
 */
export function guessLayer(
  service: string,
  name: string,
  kind: Span['kind'],
  attributes: Record<string, unknown> = {},
): Layer {
  const s = service.toLowerCase();
  if (s === 'client' || (kind === 'client' && name === 'probe')) return 'client';
  if (spanController({ service, name, kind, attributes })) return 'ingress';
  if (s.includes('ingress') || s.includes('nginx')) return 'ingress';
  return 'app';
}

export function isLayer(v: unknown): v is Layer {
  return v === 'client' || v === 'ingress' || v === 'app' || v === 'downstream';
}
