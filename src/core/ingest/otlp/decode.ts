// OTLP protobuf -> canonical OTLP shapes in one pass over protobufjs's Reader. The reflected types in schema.ts
// would decode into intermediate messages (Long objects, Buffer slices) that then need a second conversion;
// reading straight into the canonical objects is ~3x faster, which the ingest benchmark needs.
// Field numbers are those of schema.ts / opentelemetry-proto. Unknown fields, and known fields with an
// unexpected wire type, are skipped as protobuf requires.
import protobuf from 'protobufjs';
import { fixed64, int64 } from './int64';
import {
  OtlpDecodeError,
  type OtlpAnyValue,
  type OtlpEvent,
  type OtlpInstrumentationScope,
  type OtlpKeyValue,
  type OtlpLink,
  type OtlpResource,
  type OtlpResourceSpans,
  type OtlpScopeSpans,
  type OtlpSpan,
  type OtlpSpanKind,
  type OtlpStatusCode,
} from './types';
import { errorMessage } from '../../errors';

type Reader = protobuf.Reader;
const LEN = 2;
const VARINT = 0;
const I64 = 1;
const I32 = 5;
const MAX_VALUE_DEPTH = 64;
/**
 * Embedded messages one decode may open: a fixed allowance plus one per 4 input bytes. Every real message costs at
 * least 2 bytes (tag and length) and real spans average far more; a file of repeated `0a 00` (an empty ResourceSpans
 * every 2 bytes) would otherwise become millions of objects, 50 times its size in heap. sub() spends it.
 */
const messageBudget = (bytes: number) => 4096 + Math.floor(bytes / 4);
// Decoding is synchronous, so one module-level counter serves the current decode.
let budget = Infinity;

export interface DecodeResult {
  resourceSpans: OtlpResourceSpans[];
  /** Spans that were dropped (bad ids), one line each (at most 100). */
  problems: string[];
  rejectedSpans: number;
  /**
   * With `spanBytes: true`: each kept span's own protobuf encoding, as a latin1 string (one byte per char), in the
   * order the spans appear in resourceSpans. A store can keep these instead of the objects: a string is one leaf
   * object for the garbage collector and holds no reference to the request buffer. decodeOtlpSpanBytes reads one back.
   */
  spanBytes?: string[];
}

interface Ctx {
  problems: string[];
  rejectedSpans: number;
  spanBytes?: string[];
}

/** Decodes an ExportTraceServiceRequest (or TracesData: same field 1). Throws OtlpDecodeError on bytes that are not one. */
export function decodeOtlpProtobuf(buf: Uint8Array, opts: { spanBytes?: boolean } = {}): DecodeResult {
  const ctx: Ctx = { problems: [], rejectedSpans: 0, spanBytes: opts.spanBytes ? [] : undefined };
  const resourceSpans: OtlpResourceSpans[] = [];
  budget = messageBudget(buf.byteLength);
  try {
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const r = protobuf.Reader.create(b);
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | LEN)) resourceSpans.push(readResourceSpans(r, sub(r), ctx));
      else skip(r, tag);
    }
  } catch (e) {
    const why = errorMessage(e);
    throw new OtlpDecodeError(`not an OTLP ExportTraceServiceRequest protobuf: ${why}`);
  } finally {
    budget = Infinity;
  }
  const out: DecodeResult = { resourceSpans, problems: ctx.problems, rejectedSpans: ctx.rejectedSpans };
  if (ctx.spanBytes) out.spanBytes = ctx.spanBytes;
  return out;
}

/** Reads one span kept by `spanBytes` (a valid span by construction; throws OtlpDecodeError otherwise). */
export function decodeOtlpSpanBytes(bytes: string): OtlpSpan {
  const ctx: Ctx = { problems: [], rejectedSpans: 0 };
  try {
    const r = protobuf.Reader.create(Buffer.from(bytes, 'latin1'));
    const span = readSpan(r, r.len, ctx);
    if (span) return span;
  } catch {
    /* reported below */
  }
  throw new OtlpDecodeError(`not an OTLP span: ${ctx.problems[0] ?? 'bad encoding'}`);
}

/** Reads a length prefix and returns the end offset of the embedded message, checking it is inside the buffer. */
function sub(r: Reader): number {
  const len = r.uint32();
  // An empty message costs 2 bytes of input and a whole object of heap: it counts as 8 (real exports have few).
  budget -= len === 0 ? 8 : 1;
  if (budget < 0)
    throw new RangeError(
      `more embedded messages than ${messageBudget(r.len)} (4096 + one per 4 bytes, empty ones count 8), at offset ${r.pos}: not a real export`,
    );
  const end = r.pos + len;
  if (end > r.len) throw new RangeError(`length ${len} at offset ${r.pos} runs past the end (${r.len})`);
  return end;
}

/** A field that ran past the end of its enclosing message means the lengths are inconsistent. */
function fits(r: Reader, end: number): void {
  if (r.pos > end) throw new RangeError(`a field overruns its enclosing message at offset ${end}`);
}

function skip(r: Reader, tag: number): void {
  const wire = tag & 7;
  if (tag >>> 3 === 0 || wire === 3 || wire === 4 || wire > 5) throw new Error(`invalid tag ${tag} at offset ${r.pos}`);
  r.skipType(wire);
}

function hexField(r: Reader): string {
  const end = sub(r);
  const s = (r.buf as Buffer).toString('hex', r.pos, end);
  r.pos = end;
  return s;
}

function readResourceSpans(r: Reader, end: number, ctx: Ctx): OtlpResourceSpans {
  const out: OtlpResourceSpans = { scopeSpans: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LEN:
        out.resource = readResource(r, sub(r));
        break;
      case (2 << 3) | LEN:
        out.scopeSpans.push(readScopeSpans(r, sub(r), ctx));
        break;
      case (3 << 3) | LEN: {
        const s = r.string();
        if (s) out.schemaUrl = s;
        break;
      }
      // instrumentation_library_spans: removed from the proto (reserved 1000), still sent by old SDKs.
      case (1000 << 3) | LEN:
        out.scopeSpans.push(readScopeSpans(r, sub(r), ctx));
        break;
      default:
        skip(r, tag);
    }
  }
  fits(r, end);
  return out;
}

function readResource(r: Reader, end: number): OtlpResource {
  const out: OtlpResource = { attributes: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LEN)) out.attributes!.push(readKeyValue(r, sub(r), 0));
    else if (tag === ((2 << 3) | VARINT)) {
      const n = r.uint32();
      if (n) out.droppedAttributesCount = n;
    } else skip(r, tag);
  }
  fits(r, end);
  return out;
}

// ScopeSpans and InstrumentationLibrarySpans share field numbers: 1 scope/library, 2 spans, 3 schema_url.
function readScopeSpans(r: Reader, end: number, ctx: Ctx): OtlpScopeSpans {
  const out: OtlpScopeSpans = { spans: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LEN:
        out.scope = readScope(r, sub(r));
        break;
      case (2 << 3) | LEN: {
        const spanEnd = sub(r);
        const start = r.pos;
        const s = readSpan(r, spanEnd, ctx);
        if (s) {
          out.spans.push(s);
          ctx.spanBytes?.push((r.buf as Buffer).toString('latin1', start, spanEnd));
        }
        break;
      }
      case (3 << 3) | LEN: {
        const s = r.string();
        if (s) out.schemaUrl = s;
        break;
      }
      default:
        skip(r, tag);
    }
  }
  fits(r, end);
  return out;
}

function readScope(r: Reader, end: number): OtlpInstrumentationScope {
  const out: OtlpInstrumentationScope = {};
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LEN: {
        const s = r.string();
        if (s) out.name = s;
        break;
      }
      case (2 << 3) | LEN: {
        const s = r.string();
        if (s) out.version = s;
        break;
      }
      case (3 << 3) | LEN:
        (out.attributes ??= []).push(readKeyValue(r, sub(r), 0));
        break;
      case (4 << 3) | VARINT: {
        const n = r.uint32();
        if (n) out.droppedAttributesCount = n;
        break;
      }
      default:
        skip(r, tag);
    }
  }
  fits(r, end);
  return out;
}

function readSpan(r: Reader, end: number, ctx: Ctx): OtlpSpan | undefined {
  let traceId = '';
  let spanId = '';
  let parent = '';
  const span: OtlpSpan = {
    traceId: '',
    spanId: '',
    name: '',
    kind: 0,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    attributes: [],
  };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LEN:
        traceId = hexField(r);
        break;
      case (2 << 3) | LEN:
        spanId = hexField(r);
        break;
      case (3 << 3) | LEN: {
        const s = r.string();
        if (s) span.traceState = s;
        break;
      }
      case (4 << 3) | LEN:
        parent = hexField(r);
        break;
      case (5 << 3) | LEN:
        span.name = r.string();
        break;
      case (6 << 3) | VARINT:
        span.kind = r.int32() as OtlpSpanKind;
        break;
      case (7 << 3) | I64:
        span.startTimeUnixNano = fixed64(r);
        break;
      case (8 << 3) | I64:
        span.endTimeUnixNano = fixed64(r);
        break;
      case (9 << 3) | LEN:
        span.attributes!.push(readKeyValue(r, sub(r), 0));
        break;
      case (10 << 3) | VARINT: {
        const n = r.uint32();
        if (n) span.droppedAttributesCount = n;
        break;
      }
      case (11 << 3) | LEN:
        (span.events ??= []).push(readEvent(r, sub(r)));
        break;
      case (12 << 3) | VARINT: {
        const n = r.uint32();
        if (n) span.droppedEventsCount = n;
        break;
      }
      case (13 << 3) | LEN:
        (span.links ??= []).push(readLink(r, sub(r)));
        break;
      case (14 << 3) | VARINT: {
        const n = r.uint32();
        if (n) span.droppedLinksCount = n;
        break;
      }
      case (15 << 3) | LEN:
        span.status = readStatus(r, sub(r));
        break;
      case (16 << 3) | I32: {
        const n = r.fixed32();
        if (n) span.flags = n;
        break;
      }
      default:
        skip(r, tag);
    }
  }
  fits(r, end);
  if (span.kind! < 0 || span.kind! > 5) span.kind = 0; // an unknown enum value reads as unspecified
  const bad = badId(traceId, 32)
    ? `traceId (${traceId.length / 2} bytes)`
    : badId(spanId, 16)
      ? `spanId (${spanId.length / 2} bytes)`
      : parent.length !== 0 && parent.length !== 16
        ? `parentSpanId (${parent.length / 2} bytes)`
        : undefined;
  if (bad) {
    ctx.rejectedSpans++;
    if (ctx.problems.length < 100)
      ctx.problems.push(
        `span "${span.name.slice(0, 80)}": invalid ${bad}; OTLP needs 16-byte trace ids and 8-byte span ids, not all zero`,
      );
    return undefined;
  }
  span.traceId = traceId;
  span.spanId = spanId;
  if (parent.length === 16 && !ZERO.test(parent)) span.parentSpanId = parent;
  return span;
}

const ZERO = /^0+$/;
const badId = (hex: string, len: number) => hex.length !== len || ZERO.test(hex);

function readStatus(r: Reader, end: number): { code?: OtlpStatusCode; message?: string } {
  const out: { code?: OtlpStatusCode; message?: string } = {};
  let code = 0;
  let deprecated = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | VARINT:
        deprecated = r.int32();
        break; // deprecated_code, before OTLP 0.9
      case (2 << 3) | LEN: {
        const s = r.string();
        if (s) out.message = s;
        break;
      }
      case (3 << 3) | VARINT:
        code = r.int32();
        break;
      default:
        skip(r, tag);
    }
  }
  fits(r, end);
  // OTLP's compatibility rule: an unset code with a non-OK deprecated code means error.
  if (code === 0 && deprecated !== 0) code = 2;
  if (code === 1 || code === 2) out.code = code;
  return out;
}

function readEvent(r: Reader, end: number): OtlpEvent {
  const ev: OtlpEvent = { timeUnixNano: '0', name: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | I64:
        ev.timeUnixNano = fixed64(r);
        break;
      case (2 << 3) | LEN:
        ev.name = r.string();
        break;
      case (3 << 3) | LEN:
        (ev.attributes ??= []).push(readKeyValue(r, sub(r), 0));
        break;
      case (4 << 3) | VARINT: {
        const n = r.uint32();
        if (n) ev.droppedAttributesCount = n;
        break;
      }
      default:
        skip(r, tag);
    }
  }
  fits(r, end);
  return ev;
}

function readLink(r: Reader, end: number): OtlpLink {
  // Links to ids of the wrong length are kept (hex as given): a link is a pointer, not the span itself.
  const link: OtlpLink = { traceId: '', spanId: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LEN:
        link.traceId = hexField(r);
        break;
      case (2 << 3) | LEN:
        link.spanId = hexField(r);
        break;
      case (3 << 3) | LEN: {
        const s = r.string();
        if (s) link.traceState = s;
        break;
      }
      case (4 << 3) | LEN:
        (link.attributes ??= []).push(readKeyValue(r, sub(r), 0));
        break;
      case (5 << 3) | VARINT: {
        const n = r.uint32();
        if (n) link.droppedAttributesCount = n;
        break;
      }
      case (6 << 3) | I32: {
        const n = r.fixed32();
        if (n) link.flags = n;
        break;
      }
      default:
        skip(r, tag);
    }
  }
  fits(r, end);
  return link;
}

function readKeyValue(r: Reader, end: number, depth: number): OtlpKeyValue {
  let key = '';
  let value: OtlpAnyValue = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LEN)) key = r.string();
    else if (tag === ((2 << 3) | LEN)) value = readAnyValue(r, sub(r), depth);
    else skip(r, tag);
  }
  fits(r, end);
  return { key, value };
}

function readAnyValue(r: Reader, end: number, depth: number): OtlpAnyValue {
  if (depth > MAX_VALUE_DEPTH) throw new Error(`max depth exceeded (values nested over ${MAX_VALUE_DEPTH} levels)`);
  let v: OtlpAnyValue = {};
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | LEN:
        v = { stringValue: r.string() };
        break;
      case (2 << 3) | VARINT:
        v = { boolValue: r.bool() };
        break;
      case (3 << 3) | VARINT:
        v = { intValue: int64(r) };
        break;
      case (4 << 3) | I64:
        v = { doubleValue: r.double() };
        break;
      case (5 << 3) | LEN:
        v = { arrayValue: { values: readList(r, sub(r), depth + 1, readAnyValue) } };
        break;
      case (6 << 3) | LEN:
        v = { kvlistValue: { values: readList(r, sub(r), depth + 1, readKeyValue) } };
        break;
      case (7 << 3) | LEN: {
        const e = sub(r);
        v = { bytesValue: (r.buf as Buffer).toString('base64', r.pos, e) };
        r.pos = e;
        break;
      }
      default:
        skip(r, tag);
    }
  }
  fits(r, end);
  return v;
}

// ArrayValue and KeyValueList: `repeated <T> values = 1`.
function readList<T>(r: Reader, end: number, depth: number, item: (r: Reader, end: number, depth: number) => T): T[] {
  const out: T[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | LEN)) out.push(item(r, sub(r), depth));
    else skip(r, tag);
  }
  fits(r, end);
  return out;
}
