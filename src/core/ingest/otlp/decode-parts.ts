// The small messages inside a span as the OTLP decoder reads them (src/core/ingest/otlp/decode.ts): status,
// events, links, and attribute values (nested at most MAX_VALUE_DEPTH levels).
import { fixed64, int64 } from './int64';
import type { OtlpAnyValue, OtlpEvent, OtlpKeyValue, OtlpLink, OtlpStatusCode } from './types';
import { fits, hexField, I64, LEN, skip, sub, VARINT, I32, type Reader } from './wire';

const MAX_VALUE_DEPTH = 64;

export function readStatus(r: Reader, end: number): { code?: OtlpStatusCode; message?: string } {
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

export function readEvent(r: Reader, end: number): OtlpEvent {
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

export function readLink(r: Reader, end: number): OtlpLink {
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

export function readKeyValue(r: Reader, end: number, depth: number): OtlpKeyValue {
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
