// Kubetrace traces out to OTLP JSON ({"resourceSpans":[...]}) or Jaeger JSON ({"data":[...]}), which Jaeger UI
// and Grafana open. The OTLP mapping is sources/otlp's (spansToOtlp); this file streams it out in pieces.
import type { Trace } from '../trace/model';
import { spansToOtlp } from '../ingest/otlp/to-model';
import { writeJaegerJson, writeJaegerTrace } from '../ingest/jaeger/writer';

export type ExportFormat = 'otlp' | 'jaeger';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['otlp', 'jaeger'];

// Spans per spansToOtlp call: a 100,000-span trace becomes several resourceSpans entries (valid OTLP) instead of one huge one.
const OTLP_SPANS_PER_PIECE = 2000;

/** Writes a stream of traces in `format`; `write` receives the text in order. */
export class ExportWriter {
  private n = 0;
  constructor(
    private readonly format: ExportFormat,
    private readonly write: (s: string) => void,
  ) {
    write(format === 'otlp' ? '{"resourceSpans":[' : '{"data":[');
  }

  add(trace: Trace): void {
    if (this.format === 'jaeger') {
      this.write(this.n++ ? ',\n' : '\n');
      writeJaegerTrace(trace, this.write);
      return;
    }
    for (let i = 0; i < trace.spans.length; i += OTLP_SPANS_PER_PIECE) {
      for (const rs of spansToOtlp(trace.spans.slice(i, i + OTLP_SPANS_PER_PIECE), trace.traceId)) {
        this.write((this.n++ ? ',\n' : '\n') + JSON.stringify(rs));
      }
    }
  }

  end(): void {
    this.write(this.format === 'otlp' ? '\n]}\n' : '\n],"total":0,"limit":0,"offset":0,"errors":null}\n');
  }
}

/** The whole export as one string (for small traces, e.g. one probe in VS Code). */
export function exportTrace(traces: Trace[], format: ExportFormat): string {
  const parts: string[] = [];
  if (format === 'jaeger') {
    writeJaegerJson(traces, (s) => parts.push(s));
    return parts.join('');
  }
  const w = new ExportWriter(format, (s) => parts.push(s));
  for (const t of traces) w.add(t);
  w.end();
  return parts.join('');
}
