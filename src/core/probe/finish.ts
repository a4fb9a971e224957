// Stage 4 of a probe: assemble the trace from the client spans and what the feeds gathered, and say which
// spans were only derived from a log line. Source mapping comes after, in map-sources.ts.
import { assemble } from '../trace/assemble';
import type { Diagnostic, Span, SpanBatch, Trace } from '../trace/model';
import type { Collected } from './collect';
import { PROVISIONAL, type ProbeIds } from './feeds';
import type { Sent } from './send';

export function finishTrace(s: Sent, c: Collected, diagnostics: Diagnostic[]): Trace {
  return assembleProbe(s.ids, s.client, c.got.results, diagnostics);
}

/** Assembles one probe's trace from its client spans and the batches gathered for it (a probe's or a burst's). */
export function assembleProbe(
  ids: Pick<ProbeIds, 'traceId' | 'rootSpanId'>,
  client: Span[],
  results: SpanBatch[],
  diagnostics: Diagnostic[],
): Trace {
  const trace = assemble([{ spans: client, diagnostics: [] }, ...results], {
    traceId: ids.traceId,
    rootSpanId: ids.rootSpanId,
    diagnostics,
  });
  for (const span of trace.spans) {
    if (span.attributes[PROVISIONAL] !== true) continue;
    delete span.attributes[PROVISIONAL];
    if (span.origin === 'app-log') {
      trace.diagnostics.push({
        code: 'app-spans-missing',
        severity: 'warning',
        spanId: span.spanId,
        message:
          `${span.service} logged this request as span ${span.spanId}, but its spans ` +
          `never reached the trace backend; the span shown comes from its log line`,
        hint: "check the app's OTLP exporter endpoint and that the backend receives (e.g. its logs)",
      });
    }
  }
  return trace;
}
