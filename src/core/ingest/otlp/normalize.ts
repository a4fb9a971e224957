// Any OTLP-like JSON (OTLP/JSON, proto3 original field names, Tempo's `batches` with base64 ids, Jaeger api_v3's
// `{"result": ...}`) to the canonical shapes in types.ts. Never throws: bad spans are skipped and reported.
import type {
  OtlpAnyValue,
  OtlpEvent,
  OtlpInstrumentationScope,
  OtlpKeyValue,
  OtlpLink,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpSpanKind,
  OtlpStatus,
  OtlpStatusCode,
} from './types';

export type IdEncoding = 'hex' | 'base64' | 'auto';
export interface NormalizeResult {
  resourceSpans: OtlpResourceSpans[];
  /** One line per thing that could not be read as given (skipped spans, ids kept as given, ...). */
  problems: string[];
  /** Spans that were skipped. */
  rejectedSpans: number;
  /** False when the body had no resourceSpans/batches list at all (e.g. it is not OTLP). */
  recognized: boolean;
}

type Obj = Record<string, unknown>;
const MAX_PROBLEMS = 200;
const MAX_VALUE_DEPTH = 64;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Reads a field under its lowerCamelCase or original proto name. */
function pick(o: Obj, camel: string, snake: string): unknown {
  const v = o[camel];
  return v !== undefined ? v : o[snake];
}
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const SPAN_KINDS: Record<string, OtlpSpanKind> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
};
const STATUS_CODES: Record<string, OtlpStatusCode> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
  UNSET: 0,
  OK: 1,
  ERROR: 2,
};

class Ctx {
  problems: string[] = [];
  rejectedSpans = 0;
  constructor(readonly ids: IdEncoding) {}
  note(msg: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(msg);
    else if (this.problems.length === MAX_PROBLEMS) this.problems.push('more problems not listed');
  }
}

export function normalizeOtlpJson(body: unknown, opts: { idEncoding?: IdEncoding } = {}): NormalizeResult {
  const ctx = new Ctx(opts.idEncoding ?? 'auto');
  const resourceSpans: OtlpResourceSpans[] = [];
  let top: unknown = body;
  if (isObj(top) && isObj(top.result) && !('resourceSpans' in top)) top = top.result; // Jaeger api_v3 envelope
  if (!isObj(top)) {
    ctx.note(
      `expected a JSON object with resourceSpans, got ${Array.isArray(top) ? 'an array' : top === null ? 'null' : typeof top}`,
    );
    return { resourceSpans, problems: ctx.problems, rejectedSpans: 0, recognized: false };
  }
  const raw = top.resourceSpans ?? top.resource_spans ?? top.batches;
  if (raw === undefined) {
    const empty = Object.keys(top).length === 0; // `{}` is a valid empty request in proto3 JSON
    if (!empty) ctx.note('no resourceSpans (or resource_spans / batches) list in the JSON object');
    return { resourceSpans, problems: ctx.problems, rejectedSpans: 0, recognized: empty };
  }
  if (!Array.isArray(raw)) {
    ctx.note('resourceSpans is not a list');
    return { resourceSpans, problems: ctx.problems, rejectedSpans: 0, recognized: false };
  }
  raw.forEach((rs, i) => {
    if (!isObj(rs)) {
      ctx.note(`resourceSpans[${i}] is not an object`);
      return;
    }
    resourceSpans.push(readResourceSpans(rs, ctx));
  });
  return { resourceSpans, problems: ctx.problems, rejectedSpans: ctx.rejectedSpans, recognized: true };
}

function readResourceSpans(rs: Obj, ctx: Ctx): OtlpResourceSpans {
  const out: OtlpResourceSpans = { scopeSpans: [] };
  const resource = rs.resource;
  if (isObj(resource)) {
    out.resource = { attributes: readAttrs(resource.attributes, ctx, 'resource') };
    const dropped = count(pick(resource, 'droppedAttributesCount', 'dropped_attributes_count'));
    if (dropped) out.resource.droppedAttributesCount = dropped;
  }
  const schemaUrl = pick(rs, 'schemaUrl', 'schema_url');
  if (typeof schemaUrl === 'string' && schemaUrl) out.schemaUrl = schemaUrl;
  const groups = [
    ...list(pick(rs, 'scopeSpans', 'scope_spans')),
    ...list(pick(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans')),
  ];
  for (const ss of groups) if (isObj(ss)) out.scopeSpans.push(readScopeSpans(ss, ctx));
  return out;
}

function readScopeSpans(ss: Obj, ctx: Ctx): OtlpScopeSpans {
  const out: OtlpScopeSpans = { spans: [] };
  const scope = ss.scope ?? pick(ss, 'instrumentationLibrary', 'instrumentation_library');
  if (isObj(scope)) {
    const sc: OtlpInstrumentationScope = {};
    if (typeof scope.name === 'string' && scope.name) sc.name = scope.name;
    if (typeof scope.version === 'string' && scope.version) sc.version = scope.version;
    const attrs = readAttrs(scope.attributes, ctx, 'scope');
    if (attrs.length) sc.attributes = attrs;
    const dropped = count(pick(scope, 'droppedAttributesCount', 'dropped_attributes_count'));
    if (dropped) sc.droppedAttributesCount = dropped;
    out.scope = sc;
  }
  const schemaUrl = pick(ss, 'schemaUrl', 'schema_url');
  if (typeof schemaUrl === 'string' && schemaUrl) out.schemaUrl = schemaUrl;
  for (const s of list(ss.spans)) {
    const span = isObj(s) ? readSpan(s, ctx) : undefined;
    if (span) out.spans.push(span);
    else if (!isObj(s)) {
      ctx.rejectedSpans++;
      ctx.note('a span entry is not an object');
    }
  }
  return out;
}

function readSpan(s: Obj, ctx: Ctx): OtlpSpan | undefined {
  const name = typeof s.name === 'string' ? s.name : '';
  const label = `span "${name.slice(0, 80)}"`;
  const reject = (why: string): undefined => {
    ctx.rejectedSpans++;
    ctx.note(`${label}: ${why}; span skipped`);
    return undefined;
  };
  const traceId = readId(pick(s, 'traceId', 'trace_id'), 16, ctx, label, 'traceId');
  if (!traceId) return reject('missing or all-zero traceId');
  const spanId = readId(pick(s, 'spanId', 'span_id'), 8, ctx, label, 'spanId');
  if (!spanId) return reject('missing or all-zero spanId');
  const start = nanos(pick(s, 'startTimeUnixNano', 'start_time_unix_nano'));
  const end = nanos(pick(s, 'endTimeUnixNano', 'end_time_unix_nano'));
  if (start === undefined || end === undefined)
    return reject('startTimeUnixNano/endTimeUnixNano is not a non-negative integer');
  const kind = readEnum(s.kind, SPAN_KINDS, 5);
  if (kind === undefined) return reject(`unknown kind ${JSON.stringify(s.kind)}`);
  const span: OtlpSpan = {
    traceId,
    spanId,
    name,
    kind: kind as OtlpSpanKind,
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    attributes: readAttrs(s.attributes, ctx, label),
  };
  const parent = readId(pick(s, 'parentSpanId', 'parent_span_id'), 8, ctx, label, 'parentSpanId');
  if (parent) span.parentSpanId = parent;
  const traceState = pick(s, 'traceState', 'trace_state');
  if (typeof traceState === 'string' && traceState) span.traceState = traceState;
  const flags = count(s.flags);
  if (flags) span.flags = flags;
  const dropped = count(pick(s, 'droppedAttributesCount', 'dropped_attributes_count'));
  if (dropped) span.droppedAttributesCount = dropped;
  const events = list(s.events)
    .map((e) => readEvent(e, ctx, label))
    .filter((e): e is OtlpEvent => !!e);
  if (events.length) span.events = events;
  const droppedEvents = count(pick(s, 'droppedEventsCount', 'dropped_events_count'));
  if (droppedEvents) span.droppedEventsCount = droppedEvents;
  const links = list(s.links)
    .map((l) => readLink(l, ctx, label))
    .filter((l): l is OtlpLink => !!l);
  if (links.length) span.links = links;
  const droppedLinks = count(pick(s, 'droppedLinksCount', 'dropped_links_count'));
  if (droppedLinks) span.droppedLinksCount = droppedLinks;
  if (isObj(s.status)) span.status = readStatus(s.status);
  return span;
}

function readStatus(st: Obj): OtlpStatus {
  const out: OtlpStatus = {};
  let code = readEnum(st.code, STATUS_CODES, 2) ?? 0;
  const deprecated = pick(st, 'deprecatedCode', 'deprecated_code');
  if (code === 0 && deprecated !== undefined && deprecated !== 0 && deprecated !== 'DEPRECATED_STATUS_CODE_OK')
    code = 2;
  if (code) out.code = code as OtlpStatusCode;
  if (typeof st.message === 'string' && st.message) out.message = st.message;
  return out;
}

function readEvent(e: unknown, ctx: Ctx, label: string): OtlpEvent | undefined {
  if (!isObj(e)) {
    ctx.note(`${label}: an event is not an object; event skipped`);
    return undefined;
  }
  const time = nanos(pick(e, 'timeUnixNano', 'time_unix_nano'));
  if (time === undefined) {
    ctx.note(`${label}: event time is not a non-negative integer; event skipped`);
    return undefined;
  }
  const ev: OtlpEvent = { timeUnixNano: time, name: typeof e.name === 'string' ? e.name : '' };
  const attrs = readAttrs(e.attributes, ctx, label);
  if (attrs.length) ev.attributes = attrs;
  const dropped = count(pick(e, 'droppedAttributesCount', 'dropped_attributes_count'));
  if (dropped) ev.droppedAttributesCount = dropped;
  return ev;
}

function readLink(l: unknown, ctx: Ctx, label: string): OtlpLink | undefined {
  if (!isObj(l)) {
    ctx.note(`${label}: a link is not an object; link skipped`);
    return undefined;
  }
  const traceId = readId(pick(l, 'traceId', 'trace_id'), 16, ctx, label, 'link traceId');
  const spanId = readId(pick(l, 'spanId', 'span_id'), 8, ctx, label, 'link spanId');
  if (!traceId || !spanId) {
    ctx.note(`${label}: a link has no trace or span id; link skipped`);
    return undefined;
  }
  const link: OtlpLink = { traceId, spanId };
  const traceState = pick(l, 'traceState', 'trace_state');
  if (typeof traceState === 'string' && traceState) link.traceState = traceState;
  const attrs = readAttrs(l.attributes, ctx, label);
  if (attrs.length) link.attributes = attrs;
  const dropped = count(pick(l, 'droppedAttributesCount', 'dropped_attributes_count'));
  if (dropped) link.droppedAttributesCount = dropped;
  const flags = count(l.flags);
  if (flags) link.flags = flags;
  return link;
}

// ---- ids ----

const HEX = /^[0-9a-fA-F]+$/;
const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * An id as lowercase hex. `bytes` is the OTLP length (16 trace, 8 span). Hex of that length and base64 of that
 * many bytes cannot be confused (32/16 chars vs 24/12 chars), so `auto` is safe. All zeros means "none".
 * Other non-empty strings are kept as given (imports keep their ids) with a note.
 */
function readId(v: unknown, bytes: number, ctx: Ctx, label: string, field: string): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  let hex: string | undefined;
  if (ctx.ids !== 'base64' && v.length === bytes * 2 && HEX.test(v)) hex = v.toLowerCase();
  else if (ctx.ids !== 'hex' && B64.test(v)) {
    const buf = Buffer.from(v, v.includes('-') || v.includes('_') ? 'base64url' : 'base64');
    if (buf.length === bytes) hex = buf.toString('hex');
  }
  if (hex !== undefined) return /^0+$/.test(hex) ? undefined : hex;
  if (/^0+$/.test(v)) return undefined;
  ctx.note(`${label}: ${field} "${v.slice(0, 64)}" is not ${bytes} bytes in hex or base64; kept as given`);
  return HEX.test(v) ? v.toLowerCase() : v;
}

// ---- scalars ----

/** A fixed64 time: decimal string or JSON number, non-negative. Absent means 0 (proto3 default). */
function nanos(v: unknown): string | undefined {
  if (v === undefined || v === null) return '0';
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^\d{1,20}$/.test(t)) return BigInt(t) <= 0xffffffffffffffffn ? BigInt(t).toString() : undefined;
    return undefined;
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return BigInt(Math.round(v)).toString();
  return undefined;
}

function count(v: unknown): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 0xffffffff ? n : 0;
}

function readEnum(v: unknown, names: Record<string, number>, max: number): number | undefined {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= max ? v : undefined;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return readEnum(Number(v), names, max);
    const n = names[v.toUpperCase()];
    return n;
  }
  return undefined;
}

// ---- attributes ----

function readAttrs(v: unknown, ctx: Ctx, label: string): OtlpKeyValue[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    ctx.note(`${label}: attributes is not a list; ignored`);
    return [];
  }
  const out: OtlpKeyValue[] = [];
  for (const kv of v) {
    if (!isObj(kv) || typeof kv.key !== 'string') {
      ctx.note(`${label}: an attribute has no string key; ignored`);
      continue;
    }
    out.push({ key: kv.key, value: readValue(kv.value, 0) });
  }
  return out;
}

function readValue(v: unknown, depth: number): OtlpAnyValue {
  if (!isObj(v)) return {};
  const s = pick(v, 'stringValue', 'string_value');
  if (typeof s === 'string') return { stringValue: s };
  const b = pick(v, 'boolValue', 'bool_value');
  if (typeof b === 'boolean') return { boolValue: b };
  const i = pick(v, 'intValue', 'int_value');
  if (i !== undefined) {
    const n = int64(i);
    if (n !== undefined) return { intValue: n };
  }
  const d = pick(v, 'doubleValue', 'double_value');
  if (typeof d === 'number') return { doubleValue: d };
  if (typeof d === 'string' && d.trim() !== '' && !Number.isNaN(Number(d))) return { doubleValue: Number(d) };
  if (d === 'NaN') return { doubleValue: NaN };
  const bytes = pick(v, 'bytesValue', 'bytes_value');
  if (typeof bytes === 'string') return { bytesValue: bytes };
  const arr = pick(v, 'arrayValue', 'array_value');
  const kvl = pick(v, 'kvlistValue', 'kvlist_value');
  if ((isObj(arr) || isObj(kvl)) && depth >= MAX_VALUE_DEPTH) return { stringValue: '[value nested too deep]' };
  if (isObj(arr)) return { arrayValue: { values: list(arr.values).map((x) => readValue(x, depth + 1)) } };
  if (isObj(kvl)) {
    const values: OtlpKeyValue[] = [];
    for (const kv of list(kvl.values))
      if (isObj(kv) && typeof kv.key === 'string') values.push({ key: kv.key, value: readValue(kv.value, depth + 1) });
    return { kvlistValue: { values } };
  }
  return {};
}

function int64(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : undefined;
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v.trim())) {
    const n = BigInt(v.trim());
    return n >= -(2n ** 63n) && n < 2n ** 63n ? n.toString() : undefined;
  }
  return undefined;
}
