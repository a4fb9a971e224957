// `kubetrace import`: one file in, Traces out, one at a time where the format allows. Never throws on bad data:
// what cannot be read becomes a diagnostic (or, for access logs, a reported line).
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { KubetraceError } from '../errors';
import type { Diagnostic, SpanOrigin, Trace } from '../trace/model';
import { importControllerLog } from '../ingest/controller-log/import';
import type { LineCounts } from '../ingest/controller-log/counts';
import type { FormatFamily } from '../ingest/controller-log/classify';
import { decodeOtlpProtobuf } from '../ingest/otlp/protobuf';
import { otlpToTracedSpans } from '../ingest/otlp/to-model';
import { JAEGER_PATTERNS, JaegerReader } from '../ingest/jaeger/reader';
import { ZIPKIN_PATTERNS, ZipkinReader } from '../ingest/zipkin/reader';
import { TraceCollector } from './group';
import { detectFormat, sniffJson, HEAD_BYTES, type DetectedFormat } from './detect';
import { finishTrace, capPerCode } from './finish';
import { linesFrom } from './lines';
import { streamJson, type JsonEvent, type Pattern } from './json-stream';
import { OTLP_PATTERNS, OtlpStreamReader } from './otlp-stream';
import { TRACE_PATTERNS, TraceJsonReader } from './trace-json';

export const IMPORT_FORMATS = [
  'otlp',
  'jaeger',
  'tempo',
  'zipkin',
  'nginx-log',
  'envoy-log',
  'traefik-log',
  'haproxy-log',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export type ImportItem =
  | { trace: Trace }
  | { lineNumber: number; error: string; line: string } // an access-log line that could not be read
  | { counts: LineCounts } // a log's lines by class, after its last trace
  | { diagnostic: Diagnostic }; // about the file as a whole

export interface OpenedImport {
  format: DetectedFormat;
  why: string;
  items: AsyncGenerator<ImportItem>;
}

const MAX_PROTOBUF_BYTES = 512 * 1024 * 1024;
const CHUNK = 1 << 20;

/**
 * Picks the format (given or detected) and returns the items to read. Throws KubetraceError only when the file
 * cannot be read or recognised.
 */
export async function openImport(path: string, opts: { format?: ImportFormat } = {}): Promise<OpenedImport> {
  const head = await readHead(path);
  const { format, why } = resolveFormat(head, opts.format);
  if (!format)
    throw new KubetraceError(`cannot tell the format of ${path}: ${why}`, `pass --format ${IMPORT_FORMATS.join('|')}`);
  return { format, why, items: readItems(path, format, opts.format !== undefined) };
}

/** What a given --format means for this file: e.g. `jaeger` covers both the UI API and api_v3 JSON. */
export function resolveFormat(head: Uint8Array, given?: ImportFormat): { format?: DetectedFormat; why: string } {
  const detected = detectFormat(head);
  if (!given) return detected;
  const why = `--format ${given}`;
  if (LOG_FAMILIES.has(given) || given === 'zipkin') return { format: given, why };
  if (given === 'jaeger')
    return {
      format: sniffJson(Buffer.from(head).toString('utf8')).rootKeys.includes('result') ? 'jaeger-v3' : 'jaeger',
      why,
    };
  if (detected.format === 'otlp-protobuf') return { format: 'otlp-protobuf', why: `${why} (protobuf)` };
  return { format: given, why };
}

async function readHead(path: string): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KubetraceError(
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message}`,
    );
  }
  try {
    if ((await fh.stat()).isDirectory()) throw new KubetraceError(`cannot read ${path}: it is a folder`);
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The formats that are a proxy's log (one trace a request line), not a trace file. */
export const LOG_FAMILIES: ReadonlySet<string> = new Set(['nginx-log', 'envoy-log', 'traefik-log', 'haproxy-log']);

/**
 * A proxy log's items from one of its lines on (`from`: where it starts, its number, and the log time error
 * matching starts from, as core/burst/log-parallel.ts's Resume gives them). Lines split at `\n` as
 * `import --summary` and log-parallel.ts split them, so line numbers agree. `family`: only its access lines are read.
 */
export async function* readLogFrom(
  path: string,
  from: { offset: number; firstLine: number; time: number },
  family?: FormatFamily,
): AsyncGenerator<ImportItem> {
  const opts = { firstLine: from.firstLine, startTime: from.time, ...(family && { family }) };
  for await (const item of importControllerLog(linesFrom(path, from.offset), opts))
    yield 'trace' in item ? { trace: finishTrace(item.trace) } : item;
}

/** `given`: the family was named with --format, so only its access lines are read. */
export async function* readItems(path: string, format: DetectedFormat, given?: boolean): AsyncGenerator<ImportItem> {
  switch (format) {
    case 'nginx-log':
    case 'envoy-log':
    case 'traefik-log':
    case 'haproxy-log':
      yield* readLogFrom(path, { offset: 0, firstLine: 1, time: 0 }, given ? (format as FormatFamily) : undefined);
      return;
    case 'otlp-protobuf':
      yield* readProtobuf(path);
      return;
    case 'kubetrace': {
      const ready: Trace[] = [];
      const reader = new TraceJsonReader((t) => ready.push(t));
      yield* pump(
        path,
        TRACE_PATTERNS,
        (ev) => reader.onEvent(ev),
        function* () {
          while (ready.length) yield { trace: finishTrace(ready.shift() as Trace) };
        },
      );
      for (const d of capPerCode(reader.diagnostics)) yield { diagnostic: d };
      return;
    }
    default: {
      const out = new TraceCollector();
      const origin: SpanOrigin = format === 'jaeger-v3' ? 'jaeger' : format;
      let onEvent: (ev: JsonEvent) => void;
      let patterns: Pattern[];
      let finish = () => {};
      let ready = () => false;
      if (format === 'jaeger') {
        const r = new JaegerReader(out, origin);
        onEvent = (ev) => r.onEvent(ev);
        patterns = JAEGER_PATTERNS;
        let seen = 0;
        ready = () => (seen !== r.tracesClosed ? ((seen = r.tracesClosed), true) : false);
      } else if (format === 'zipkin') {
        const r = new ZipkinReader(out, origin);
        onEvent = (ev) => r.onEvent(ev);
        patterns = ZIPKIN_PATTERNS;
        finish = () => r.finish();
      } else {
        const r = new OtlpStreamReader(out, origin);
        onEvent = (ev) => r.onEvent(ev);
        patterns = OTLP_PATTERNS;
      }
      // Jaeger's data[] holds whole traces, so each can go as soon as it closes; other formats may spread a trace over the file.
      yield* pump(path, patterns, onEvent, function* () {
        if (ready()) for (const t of out.drain()) yield { trace: finishTrace(t) };
      });
      finish();
      for (const t of out.drain()) yield { trace: finishTrace(t) };
      for (const d of capPerCode(out.diagnostics)) yield { diagnostic: d };
    }
  }
}

async function* pump(
  path: string,
  patterns: Pattern[],
  onEvent: (ev: JsonEvent) => void,
  after: () => Generator<ImportItem>,
): AsyncGenerator<ImportItem> {
  const chunks = createReadStream(path, { highWaterMark: CHUNK });
  for await (const ev of streamJson(chunks, patterns)) {
    onEvent(ev);
    if (ev.type === 'close' || ev.type === 'end') yield* after();
  }
  yield* after();
}

async function* readProtobuf(path: string): AsyncGenerator<ImportItem> {
  const size = (await stat(path)).size;
  if (size > MAX_PROTOBUF_BYTES) {
    yield {
      diagnostic: {
        code: 'otlp-too-large',
        severity: 'error',
        message: `${path} is ${size} bytes; OTLP protobuf files over ${MAX_PROTOBUF_BYTES} bytes are not read (use OTLP JSON)`,
      },
    };
    return;
  }
  const out = new TraceCollector();
  try {
    const decoded = decodeOtlpProtobuf(await readFile(path));
    const { items, diagnostics } = otlpToTracedSpans(decoded.resourceSpans, 'otlp');
    for (const { traceId, span } of items) out.add(traceId, span);
    for (const d of diagnostics) out.diag(undefined, d);
    for (const p of decoded.problems) out.diag(undefined, { code: 'otlp-problem', severity: 'warning', message: p });
  } catch (e) {
    out.diag(undefined, { code: 'otlp-malformed', severity: 'error', message: (e as Error).message });
  }
  for (const t of out.drain()) yield { trace: finishTrace(t) };
  for (const d of capPerCode(out.diagnostics)) yield { diagnostic: d };
}
