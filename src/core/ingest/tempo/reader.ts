// Tempo's `GET /api/traces/{id}`: OTLP-like JSON (top-level `batches` in some versions, `resourceSpans` in others,
// base64 ids, either proto3 JSON name style), or OTLP protobuf when asked with `Accept: application/protobuf`.
// The OTLP decoding itself is sources/otlp's; this file only picks the body's form.
import type { Diagnostic, SpanBatch, SpanOrigin, Trace } from '../../trace/model';
import { TraceCollector } from '../../io/group';
import { scanJson } from '../../io/json-stream';
import { OTLP_PATTERNS, OtlpStreamReader } from '../../io/otlp-stream';
import { decodeOtlpProtobuf } from '../otlp/protobuf';
import { otlpToSpans } from '../otlp/to-model';

/** True when the body is protobuf: by Content-Type, or (when that is missing) because it does not look like JSON. */
export function isProtobufBody(body: Uint8Array, contentType = ''): boolean {
  if (/protobuf/i.test(contentType)) return true;
  if (/json/i.test(contentType)) return false;
  let i = 0;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  return i < body.length && body[i] !== 0x7b && body[i] !== 0x5b;
}

export function readTempoBody(body: Uint8Array, contentType = '', origin: SpanOrigin = 'tempo'): SpanBatch {
  if (isProtobufBody(body, contentType)) {
    try {
      const decoded = decodeOtlpProtobuf(body);
      const r = otlpToSpans(decoded.resourceSpans, origin);
      for (const p of decoded.problems) r.diagnostics.push({ code: 'otlp-problem', severity: 'warning', message: p });
      return r;
    } catch (e) {
      return {
        spans: [],
        diagnostics: [
          {
            code: 'otlp-malformed',
            severity: 'error',
            message: `the protobuf answer could not be decoded: ${(e as Error).message}`,
          },
        ],
      };
    }
  }
  return readOtlpJsonBody(body, origin);
}

/** OTLP-shaped JSON from a backend (Tempo, Jaeger api_v3) to spans. */
export function readOtlpJsonBody(body: Uint8Array, origin: SpanOrigin): SpanBatch {
  const { traces, diagnostics } = readOtlpJsonTraces(body, origin);
  return {
    spans: traces.flatMap((t) => t.spans),
    diagnostics: [...diagnostics, ...traces.flatMap((t) => t.diagnostics)],
  };
}

/** The same, grouped by trace id (an answer that holds many traces, e.g. Jaeger's FindTraces). */
export function readOtlpJsonTraces(
  body: Uint8Array,
  origin: SpanOrigin,
): { traces: Trace[]; diagnostics: Diagnostic[] } {
  const out = new TraceCollector();
  const reader = new OtlpStreamReader(out, origin);
  // An answer held in memory is parsed at once when it has the plain shape; anything else (malformed, other
  // layouts) is scanned, which says what is wrong where.
  if (!reader.readPlain(parseOrUndefined(body))) for (const ev of scanJson(body, OTLP_PATTERNS)) reader.onEvent(ev);
  const traces = out.drain();
  return { traces, diagnostics: out.diagnostics };
}

function parseOrUndefined(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
}
