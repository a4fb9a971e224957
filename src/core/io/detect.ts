// Which trace format a file holds, from its first bytes. JSON is told apart by its structure (top-level keys, the
// keys of the first element), not by the file name; anything else may be a proxy's log, told from a sample of lines.
import { describeSample, looksLikeControllerLog, sampleLog } from '../ingest/controller-log/detect';
import { classifyLine } from '../ingest/controller-log/classify';

/** `jaeger-v3` and `tempo` are OTLP inside; `kubetrace` is the tool's own Trace JSON (probe/import --json). */
export type DetectedFormat =
  | 'otlp'
  | 'otlp-protobuf'
  | 'jaeger'
  | 'jaeger-v3'
  | 'tempo'
  | 'zipkin'
  | 'nginx-log'
  | 'envoy-log'
  | 'traefik-log'
  | 'haproxy-log'
  | 'kubetrace';
export const HEAD_BYTES = 64 * 1024;

export interface Detection {
  format?: DetectedFormat;
  why: string;
}

export interface HeadShape {
  root: 'object' | 'array' | 'none';
  rootKeys: string[]; // keys of the top-level object
  firstKeys: string[]; // keys of the first object element (or of the first element of a nested first array)
  nested: boolean; // the first element of the top-level array is itself an array
  firstId?: string; // the first "traceId"/"trace_id" string value seen anywhere
}

export function sniffJson(text: string): HeadShape {
  const shape: HeadShape = { root: 'none', rootKeys: [], firstKeys: [], nested: false };
  let i = 0;
  while (i < text.length && /[\s\ufeff]/.test(text[i])) i++;
  if (text[i] === '{') shape.root = 'object';
  else if (text[i] === '[') shape.root = 'array';
  else return shape;
  let depth = 0;
  let firstDone = false;
  let pendingKey: string | undefined;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) break;
      const raw = text.slice(i + 1, j);
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k])) k++;
      if (text[k] === ':') {
        if (shape.root === 'object' && depth === 1) shape.rootKeys.push(raw);
        const elementDepth = shape.nested ? 3 : 2;
        if (shape.root === 'array' && depth === elementDepth && !firstDone) shape.firstKeys.push(raw);
        pendingKey = raw;
      } else if (pendingKey !== undefined) {
        if (shape.firstId === undefined && /^(traceId|trace_id)$/.test(pendingKey)) shape.firstId = raw;
        pendingKey = undefined;
      }
      i = j;
      continue;
    }
    if (c === '{' || c === '[') {
      if (shape.root === 'array' && depth === 1 && c === '[' && !firstDone && !shape.firstKeys.length)
        shape.nested = true;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (shape.root === 'array' && depth === (shape.nested ? 2 : 1)) firstDone = true;
      if (depth <= 0) break;
    } else if (c !== ':' && c !== ',' && !/\s/.test(c)) {
      pendingKey = undefined;
    }
  }
  return shape;
}

const has = (keys: string[], ...names: string[]) => names.some((n) => keys.includes(n));
const isBase64Id = (s: string | undefined) => !!s && s.length === 24 && /^[A-Za-z0-9+/_-]{22}==$/.test(s);

export function detectFormat(head: Uint8Array): Detection {
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8');
  const shape = sniffJson(text);
  const fromJson = shape.root === 'none' ? undefined : detectJson(shape);
  const body = text.replace(/^\ufeff/, '');
  const sample = sampleLog(body, head.byteLength < HEAD_BYTES);
  // Envoy and HAProxy lines start with `[`: JSON only in looks, so a log's first line decides against a JSON array.
  const firstKind = classifyLine(body.slice(0, 4096).split('\n', 1)[0]).kind;
  const logNotArray = shape.root === 'array' && firstKind !== 'json' && firstKind !== 'other';
  if (sample.family && (shape.root === 'none' || !fromJson || logNotArray)) {
    const n = sample.families[sample.family] ?? 0;
    return {
      format: sample.family,
      why: `${n} of the first ${sample.lines} lines are ${sample.family} access lines (${describeSample(sample)})`,
    };
  }
  if (fromJson) return fromJson;
  if (shape.root === 'none' && looksLikeControllerLog(sample))
    return {
      format: 'nginx-log',
      why: `a controller log with no access line among its first ${sample.lines} lines (${describeSample(sample)})`,
    };
  const firstLine = body.split('\n').find((l) => l.trim()) ?? '';
  if (shape.root !== 'none')
    return {
      why: `JSON with top-level ${jsonShape(shape)}, which is no trace format Kubetrace knows`,
    };
  if (looksBinary(head)) return { format: 'otlp-protobuf', why: 'binary data: read as OTLP protobuf' };
  return {
    why: firstLine
      ? `no line among the first ${sample.lines} is JSON or an access-log line (${describeSample(sample)}); ` +
        `the first is ${JSON.stringify(firstLine.slice(0, 80))}`
      : 'the file is empty',
  };
}

function detectJson(s: HeadShape): Detection | undefined {
  if (s.root === 'object') {
    const k = s.rootKeys;
    if (has(k, 'data')) return { format: 'jaeger', why: 'a {"data": [...]} object (Jaeger UI API)' };
    if (has(k, 'result')) return { format: 'jaeger-v3', why: 'a {"result": ...} object (Jaeger api_v3)' };
    if (has(k, 'batches')) return { format: 'tempo', why: 'a {"batches": [...]} object (Tempo)' };
    if (has(k, 'trace') && k.length <= 3) return { format: 'tempo', why: 'a {"trace": ...} object (Tempo api v2)' };
    if (has(k, 'resourceSpans', 'resource_spans')) {
      return isBase64Id(s.firstId)
        ? { format: 'tempo', why: 'OTLP JSON with base64 ids (Tempo)' }
        : { format: 'otlp', why: 'an OTLP JSON object' };
    }
    if (has(k, 'traceID') || (has(k, 'spans') && has(k, 'processes')))
      return { format: 'jaeger', why: 'one bare Jaeger trace object' };
    if (has(k, 'traceId') && has(k, 'spans')) return { format: 'kubetrace', why: 'one Kubetrace Trace object' };
    if (k.length === 0) return { format: 'otlp', why: 'an empty JSON object (an empty OTLP request)' };
    return undefined;
  }
  const f = s.firstKeys;
  if (!f.length) return { format: 'zipkin', why: 'an empty JSON list (read as Zipkin v2)' };
  if (has(f, 'traceID')) return { format: 'jaeger', why: 'a list of Jaeger traces' };
  if (has(f, 'spans') && has(f, 'traceId')) return { format: 'kubetrace', why: 'a list of Kubetrace Trace objects' };
  if (has(f, 'traceId') && has(f, 'id')) return { format: 'zipkin', why: 'a list of Zipkin v2 spans' };
  return undefined;
}

function looksBinary(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  if (!n) return false;
  let odd = 0;
  for (let i = 0; i < n; i++) if (b[i] === 0 || b[i] < 0x09 || (b[i] > 0x0d && b[i] < 0x20)) odd++;
  return odd > 0 && b[0] === 0x0a; // OTLP protobuf starts with field 1 (resource_spans), length-delimited: 0x0a
}

function list(keys: string[]): string {
  return keys.length
    ? keys
        .slice(0, 6)
        .map((k) => JSON.stringify(k))
        .join(', ')
    : '(none)';
}

function jsonShape(shape: { root: string; rootKeys: string[]; firstKeys: string[] }): string {
  if (shape.root === 'object') return `keys ${list(shape.rootKeys)}`;
  return `array of ${shape.firstKeys.length ? `objects with keys ${list(shape.firstKeys)}` : 'unknown elements'}`;
}
