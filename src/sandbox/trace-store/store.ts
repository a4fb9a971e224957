// In-memory span storage by trace id, bounded in traces and spans; the oldest trace (first seen) goes first,
// as in Jaeger's memory storage (`max_traces`). Spans keep their resource and scope so a trace can be served
// back as OTLP resourceSpans.
// Each span is kept as one string: its own protobuf bytes (latin1, from the decoder) when it came as protobuf,
// its OTLP/JSON text otherwise. Retaining ~20 small objects per span made the garbage collector, not decoding,
// the cost of ingest (3x slower at 200k spans); one leaf string per span does not. The two forms cannot be
// confused: JSON starts with '{', and 0x7b as a protobuf tag is field 15 with the group wire type, which the
// decoder refuses. A Set of those strings also drops spans an exporter re-sends after a lost answer.
import { decodeOtlpSpanBytes } from '../../core/ingest/otlp/protobuf';
import type { OtlpInstrumentationScope, OtlpResource, OtlpResourceSpans, OtlpSpan } from '../../core/ingest/otlp/types';

export interface TraceStoreLimits {
  maxTraces: number;
  maxSpans: number;
}
export const DEFAULT_LIMITS: TraceStoreLimits = { maxTraces: 10_000, maxSpans: 200_000 };
const MAX_SERVICES = 10_000;

interface ScopeGroup {
  scope?: OtlpInstrumentationScope;
  schemaUrl?: string;
  spans: Set<string>;
}
interface ResourceGroup {
  resource?: OtlpResource;
  schemaUrl?: string;
  scopes: Map<string, ScopeGroup>;
}
interface StoredTrace {
  resources: Map<string, ResourceGroup>;
  spanCount: number;
  /** Span start times by service, so FindTraces reads no span. */
  starts: Map<string, bigint[]>;
}

export interface AddResult {
  stored: number;
  duplicates: number;
  rejected: number;
  traces: number;
  evictedTraces: number;
}

export class TraceStore {
  private readonly traces = new Map<string, StoredTrace>();
  private readonly serviceOps = new Map<string, Map<string, number>>();
  private totalSpans = 0;
  readonly limits: TraceStoreLimits;

  constructor(limits: Partial<TraceStoreLimits> = {}) {
    this.limits = {
      maxTraces: Math.max(1, limits.maxTraces ?? DEFAULT_LIMITS.maxTraces),
      maxSpans: Math.max(1, limits.maxSpans ?? DEFAULT_LIMITS.maxSpans),
    };
  }

  get traceCount(): number {
    return this.traces.size;
  }
  get spanCount(): number {
    return this.totalSpans;
  }

  /** Stores spans; `spanBytes` (from decodeOtlpProtobuf's spanBytes option) lines up with the spans in order. */
  add(resourceSpans: OtlpResourceSpans[], spanBytes?: string[]): AddResult {
    const r: AddResult = { stored: 0, duplicates: 0, rejected: 0, traces: 0, evictedTraces: 0 };
    let index = 0;
    const touched = new Set<string>();
    for (const rs of resourceSpans) {
      // Keys are computed once per resource/scope per batch, not per span.
      const resKey = JSON.stringify([rs.resource?.attributes ?? [], rs.schemaUrl ?? '']);
      const service = serviceName(rs.resource);
      for (const ss of rs.scopeSpans) {
        const scopeKey = JSON.stringify([ss.scope ?? null, ss.schemaUrl ?? '']);
        for (const span of ss.spans) {
          let t = this.traces.get(span.traceId);
          if (!t) {
            while (this.traces.size >= this.limits.maxTraces) r.evictedTraces += this.evictOldest();
            t = { resources: new Map(), spanCount: 0, starts: new Map() };
            this.traces.set(span.traceId, t);
          }
          let rg = t.resources.get(resKey);
          if (!rg) {
            rg = { resource: rs.resource, schemaUrl: rs.schemaUrl, scopes: new Map() };
            t.resources.set(resKey, rg);
          }
          let sg = rg.scopes.get(scopeKey);
          if (!sg) {
            sg = { scope: ss.scope, schemaUrl: ss.schemaUrl, spans: new Set() };
            rg.scopes.set(scopeKey, sg);
          }
          const text = spanBytes?.[index++] ?? JSON.stringify(span);
          if (sg.spans.has(text)) {
            r.duplicates++;
            continue;
          }
          while (this.totalSpans >= this.limits.maxSpans && this.oldestId() !== span.traceId)
            r.evictedTraces += this.evictOldest();
          if (this.totalSpans >= this.limits.maxSpans) {
            r.rejected++;
            continue;
          } // one trace fills the store
          sg.spans.add(text);
          let starts = t.starts.get(service);
          if (!starts) t.starts.set(service, (starts = []));
          starts.push(BigInt(span.startTimeUnixNano || '0'));
          t.spanCount++;
          this.totalSpans++;
          r.stored++;
          touched.add(span.traceId);
          this.noteOperation(service, span.name, span.kind ?? 0);
        }
      }
    }
    r.traces = touched.size;
    return r;
  }

  /** The trace as OTLP resourceSpans, or undefined when it is not (or no longer) stored. */
  get(traceId: string): OtlpResourceSpans[] | undefined {
    const t = this.traces.get(traceId);
    if (!t) return undefined;
    return [...t.resources.values()].map((rg) => {
      const out: OtlpResourceSpans = {
        resource: rg.resource ?? {},
        scopeSpans: [...rg.scopes.values()].map((sg) => ({
          scope: sg.scope ?? {},
          spans: [...sg.spans].map((text) =>
            text.charCodeAt(0) === 0x7b ? (JSON.parse(text) as OtlpSpan) : decodeOtlpSpanBytes(text),
          ),
          ...(sg.schemaUrl ? { schemaUrl: sg.schemaUrl } : {}),
        })),
      };
      if (rg.schemaUrl) out.schemaUrl = rg.schemaUrl;
      return out;
    });
  }

  /**
   * Jaeger's memory storage FindTraces: the newest traces first, at most `depth`, where a span of `service` started
   * inside [min, max] (nanoseconds).
   */
  find(service: string, min: bigint, max: bigint, depth: number): string[] {
    const out: string[] = [];
    const ids = [...this.traces.keys()];
    for (let i = ids.length - 1; i >= 0 && out.length < depth; i--) {
      const starts = service
        ? this.traces.get(ids[i])!.starts.get(service)
        : [...this.traces.get(ids[i])!.starts.values()].flat();
      if (starts?.some((t) => t >= min && t <= max)) out.push(ids[i]);
    }
    return out;
  }

  services(): string[] {
    return [...this.serviceOps.keys()].sort();
  }

  operations(service: string): { name: string; kind: number }[] {
    const ops = this.serviceOps.get(service);
    if (!ops) return [];
    return [...ops.entries()].map(([name, kind]) => ({ name, kind })).sort((a, b) => a.name.localeCompare(b.name));
  }

  clear(): void {
    this.traces.clear();
    this.totalSpans = 0;
  }

  private oldestId(): string | undefined {
    return this.traces.keys().next().value;
  }

  private evictOldest(): number {
    const id = this.oldestId();
    if (id === undefined) return 0;
    this.totalSpans -= this.traces.get(id)!.spanCount;
    this.traces.delete(id);
    return 1;
  }

  private noteOperation(service: string, name: string, kind: number): void {
    let ops = this.serviceOps.get(service);
    if (!ops) {
      if (this.serviceOps.size >= MAX_SERVICES) return;
      ops = new Map();
      this.serviceOps.set(service, ops);
    }
    if (!ops.has(name) && ops.size < MAX_SERVICES) ops.set(name, kind);
  }
}

export function serviceName(resource: OtlpResource | undefined): string {
  for (const kv of resource?.attributes ?? []) {
    if (kv.key === 'service.name' && typeof kv.value?.stringValue === 'string') return kv.value.stringValue;
  }
  return 'unknown_service';
}
