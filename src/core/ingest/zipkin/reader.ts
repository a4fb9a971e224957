// Zipkin v2 JSON (`GET /api/v2/trace/{id}`: an array of spans; `/api/v2/traces`: an array of such arrays).
import type { Diagnostic, SpanBatch, SpanOrigin } from '../../trace/model';
import { TraceCollector } from '../../io/group';
import type { JsonEvent, Pattern, PathSeg } from '../../io/json-stream';
import { scanJson } from '../../io/json-stream';
import { describe } from '../../io/values';
import { mergeShared } from './merge';
import { zipkinSpan, type ZipkinSpan } from './span';

export const ZIPKIN_PATTERNS: Pattern[] = [['*'], ['*', '*']];

export class ZipkinReader {
  private readonly byTrace = new Map<string, ZipkinSpan[]>();
  private count = 0;

  constructor(
    readonly out: TraceCollector,
    private readonly origin: SpanOrigin = 'zipkin',
  ) {}

  onEvent(ev: JsonEvent): void {
    switch (ev.type) {
      case 'element':
        this.add(ev.value, where(ev.path));
        break;
      case 'stray':
        this.fileDiag({
          code: 'zipkin-bad-span',
          severity: 'warning',
          message: `${where(ev.path)} is ${describe(ev.value)}, not a span; it was skipped`,
        });
        break;
      case 'end':
        if (!Array.isArray(ev.value)) this.notZipkin(ev.value);
        break;
      case 'error':
        this.fileDiag({
          code: 'zipkin-malformed',
          severity: 'error',
          message: `the Zipkin JSON is malformed at byte ${ev.offset}: ${ev.message}`,
        });
        break;
      default:
        break;
    }
  }

  readValue(v: unknown): void {
    if (!Array.isArray(v)) {
      this.notZipkin(v);
      return;
    }
    v.forEach((x, i) => {
      if (Array.isArray(x)) x.forEach((y, j) => this.add(y, `[${i}][${j}]`));
      else this.add(x, `[${i}]`);
    });
  }

  get spansRead(): number {
    return this.count;
  }

  /** Merges shared client/server halves and hands every span to the collector. Call once, at the end. */
  finish(): void {
    for (const [traceId, list] of this.byTrace) {
      const { spans, merged } = mergeShared(list);
      for (const s of spans) this.out.add(traceId, s.span);
      if (merged) {
        this.out.diag(traceId, {
          code: 'zipkin-shared-merged',
          severity: 'info',
          message:
            `${merged} client/server pair${merged > 1 ? 's' : ''} sharing a span id ${merged > 1 ? 'were' : 'was'}` +
            ` merged into one span each; the server side is kept in zipkin.server.* attributes`,
        });
      }
    }
    this.byTrace.clear();
  }

  private add(raw: unknown, at: string): void {
    const s = zipkinSpan(raw, at, this.origin, (t, d) => this.out.diag(t, d));
    if (!s) return;
    this.count++;
    const list = this.byTrace.get(s.traceId);
    if (list) list.push(s);
    else this.byTrace.set(s.traceId, [s]);
  }

  private notZipkin(v: unknown): void {
    this.fileDiag({
      code: 'zipkin-malformed',
      severity: 'error',
      message: `this is not Zipkin v2 JSON: expected a list of spans, found ${describe(v)}`,
    });
  }

  private fileDiag(d: Diagnostic): void {
    this.out.diag(undefined, d);
  }
}

function where(path: PathSeg[]): string {
  return path.map((p) => `[${p}]`).join('') || 'the top level';
}

export function zipkinToSpanBatch(body: Uint8Array, origin: SpanOrigin = 'zipkin'): SpanBatch {
  const out = new TraceCollector();
  const reader = new ZipkinReader(out, origin);
  for (const ev of scanJson(body, ZIPKIN_PATTERNS)) reader.onEvent(ev);
  reader.finish();
  const traces = out.drain();
  return {
    spans: traces.flatMap((t) => t.spans),
    diagnostics: [...out.diagnostics, ...traces.flatMap((t) => t.diagnostics)],
  };
}
