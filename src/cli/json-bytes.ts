// Trace JSON written straight into a byte buffer, for `import --json` (a 100 MB access log gives ~1.7 GB of it).
// JSON.stringify costs about 5 ns per character of string content on Node 20, and its text then had to be joined
// and encoded to UTF-8 again: copying a plain-ASCII string byte by byte here checks it for escapes on the way and
// costs about a third less, all told. Each object's keys repeat from span to span, so `,"key":` is kept encoded per
// shape of object.
// The bytes are exactly UTF-8 of terminalSafe(JSON.stringify(...)) (what src/cli/output.ts prints for JSON text):
// a string with anything but printable ASCII, and any value that is not a string, number or boolean, is written by
// JSON.stringify and terminalSafe themselves. test/unit/json-bytes.test.ts checks this on random spans.
import type { Span, Trace } from '../core/trace/model';
import { terminalSafe } from './terminal';

const SIZE = 1 << 18;

interface Shape {
  keys: string[];
  /** `{"key":` for a key written first, `,"key":` after another. */
  first: Uint8Array[];
  later: Uint8Array[];
  /**
   * The first string met under each key (not the first key written) and `,"key":"value"` for it, copied whole when
   * the key has that value again: a log's spans repeat most of theirs (service, layer, kind, status, method, user
   * agent), and one copy of both costs less than two (about a fifth of writing a trace).
   */
  seen: (string | undefined)[];
  seenBytes: Uint8Array[];
}

const encode = (s: string): Uint8Array => Buffer.from(terminalSafe(s), 'utf8');

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The last few shapes met at one place (span fields, attributes): a log gives two or three of each. */
class Shapes {
  private readonly list: Shape[] = [];

  get(keys: string[]): Shape {
    const list = this.list;
    for (let i = 0; i < list.length; i++) if (sameKeys(list[i].keys, keys)) return list[i];
    const s: Shape = {
      keys,
      first: keys.map((k) => encode(`{${JSON.stringify(k)}:`)),
      later: keys.map((k) => encode(`,${JSON.stringify(k)}:`)),
      seen: keys.map(() => undefined),
      seenBytes: keys.map(() => EMPTY),
    };
    // Most recent first; a file whose every span has new keys only ever looks at 16.
    list.unshift(s);
    if (list.length > 16) list.pop();
    return s;
  }
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

export class JsonBytes {
  private buf: Buffer;
  private pos = 0;
  private readonly spanShapes = new Shapes();
  private readonly attributeShapes = new Shapes();
  private readonly sectionShapes = new Shapes();
  private readonly diagnosticShapes = new Shapes();

  /**
   * With a sink, it gets each full buffer and must be done with it when it returns (the buffer is reused). Without
   * one, everything stays in one buffer, `start` when given, grown by doubling (`written`): a worker thread hands
   * that memory over as it is, with no copy (log-json.ts).
   */
  constructor(
    private readonly sink?: (bytes: Uint8Array) => void,
    start?: Uint8Array,
  ) {
    this.buf = start ? Buffer.from(start.buffer, start.byteOffset, start.byteLength) : Buffer.allocUnsafe(SIZE);
  }

  flush(): void {
    if (this.pos && this.sink) {
      this.sink(this.buf.subarray(0, this.pos));
      this.pos = 0;
    }
  }

  /** What was written, when there is no sink. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Room for n more bytes. */
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (!this.sink) {
      const bigger = Buffer.alloc(Math.max(2 * this.buf.length, this.pos + n));
      bigger.set(this.buf.subarray(0, this.pos));
      this.buf = bigger;
      return;
    }
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /** Bytes that are already terminal-safe JSON text. */
  raw(b: Uint8Array): void {
    this.bytes(b);
  }

  /** JSON.stringify(s) for a string. */
  value(s: string): void {
    this.string(s);
  }

  /** JSON.stringify(attributes) for a span's attributes, as span() writes them. */
  attributes(o: Record<string, unknown>): void {
    this.object(o, this.attributeShapes, false);
  }

  /** What comes before a trace in a list of traces, one a line: `\n` before the first, `,\n` before the rest. */
  separator(first: boolean): void {
    this.bytes(first ? LINE : COMMA_LINE);
  }

  /** Any text, made terminalSafe (JSON text stays JSON: control characters become `\uXXXX`). */
  text(s: string): void {
    const safe = terminalSafe(s);
    this.room(Buffer.byteLength(safe, 'utf8'));
    this.pos += this.buf.write(safe, this.pos, 'utf8');
  }

  /** A string value: printable ASCII is copied as it is, anything else goes through JSON.stringify. */
  private string(s: string): void {
    const n = s.length;
    this.room(n + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 34;
    for (let j = 0; j < n; j++) {
      const c = s.charCodeAt(j);
      if (c < 32 || c === 34 || c === 92 || c > 126) {
        this.text(JSON.stringify(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = 34;
    this.pos = p;
  }

  /** Text known to be printable ASCII (a number's digits, true, false). */
  private ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let j = 0; j < n; j++) buf[p++] = s.charCodeAt(j);
    this.pos = p;
  }

  private object(o: Record<string, unknown>, shapes: Shapes, nested: boolean): void {
    const keys = Object.keys(o);
    const values = Object.values(o);
    // A getter that adds or removes keys would make the two lists disagree: JSON.stringify handles that object.
    if (values.length !== keys.length) {
      this.text(JSON.stringify(o));
      return;
    }
    const shape = shapes.get(keys);
    let written = false;
    for (let i = 0; i < keys.length; i++) {
      const v = values[i];
      const type = typeof v;
      // Members JSON.stringify leaves out.
      if (type === 'undefined' || type === 'function' || type === 'symbol') continue;
      const attributes = nested && type === 'object' && keys[i] === 'attributes' && isPlain(v);
      // Events, links, steps, arrays, null: JSON.stringify writes them (undefined from a toJSON leaves the member
      // out; a BigInt throws, as in JSON.stringify). A toJSON method here is called with '' as its key.
      let t: string | undefined;
      if ((type === 'object' && !attributes) || type === 'bigint') {
        // Every span has two empty lists (events, links).
        t = isEmptyList(v) ? '[]' : (JSON.stringify(v) as string | undefined);
        if (t === undefined) continue;
      }
      if (written && type === 'string') {
        if (v === shape.seen[i]) {
          this.bytes(shape.seenBytes[i]);
          continue;
        }
        // A long value is not kept: it is rarely met twice, and it would stay in memory.
        if (shape.seen[i] === undefined && (v as string).length <= 256) {
          shape.seen[i] = v as string;
          shape.seenBytes[i] = encode(`,${JSON.stringify(keys[i])}:${JSON.stringify(v)}`);
        }
      }
      this.bytes(written ? shape.later[i] : shape.first[i]);
      written = true;
      // Every span has two empty lists: not worth terminalSafe's look.
      if (t === '[]') this.bytes(LIST);
      else if (t !== undefined) this.text(t);
      else if (type === 'string') this.string(v as string);
      // Number's toString is JSON's number format; String(-0) is "0" as in JSON.stringify.
      else if (type === 'number') this.ascii(Number.isFinite(v) ? String(v) : 'null');
      else if (type === 'boolean') this.ascii(v ? 'true' : 'false');
      else this.object(v as Record<string, unknown>, this.attributeShapes, false);
    }
    this.bytes(written ? CLOSE : EMPTY);
  }

  /** JSON.stringify(span). */
  span(span: Span): void {
    if (isPlain(span)) this.object(span as unknown as Record<string, unknown>, this.spanShapes, true);
    else this.text(JSON.stringify(span));
  }

  /** The trace with one span a line: `{"traceId":…,"spans":[` spans `],"criticalPath":…,"diagnostics":…}`. */
  trace(trace: Trace): void {
    this.bytes(TRACE_ID);
    if (typeof trace.traceId === 'string') this.string(trace.traceId);
    // As a template string would write it, even a missing id ("undefined").
    else this.text(String(JSON.stringify(trace.traceId)));
    this.bytes(SPANS);
    const spans = trace.spans;
    for (let i = 0; i < spans.length; i++) {
      this.bytes(i ? COMMA_LINE : LINE);
      this.span(spans[i]);
    }
    this.bytes(PATH);
    this.list(trace.criticalPath, this.sectionShapes);
    this.bytes(DIAGNOSTICS);
    this.list(trace.diagnostics, this.diagnosticShapes);
    this.bytes(CLOSE);
  }

  /** JSON.stringify(list) for a list of plain objects (critical path sections, diagnostics). */
  private list(list: unknown, shapes: Shapes): void {
    if (!Array.isArray(list) || typeof (list as { toJSON?: unknown }).toJSON === 'function') {
      // As a template string would, even for a missing list ("undefined").
      this.text(String(JSON.stringify(list)));
      return;
    }
    this.ascii('[');
    for (let i = 0; i < list.length; i++) {
      if (i) this.ascii(',');
      const v: unknown = list[i];
      // An element JSON.stringify cannot write is null in a list.
      if (isPlain(v)) this.object(v, shapes, false);
      else this.text((JSON.stringify(v) as string | undefined) ?? 'null');
    }
    this.ascii(']');
  }
}

const isEmptyList = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 0 && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

const TRACE_ID = Buffer.from('{"traceId":');
const SPANS = Buffer.from(',"spans":[');
const LIST = Buffer.from('[]');
const CLOSE = Buffer.from('}');
const EMPTY = Buffer.from('{}');
const LINE = Buffer.from('\n');
const COMMA_LINE = Buffer.from(',\n');
const PATH = Buffer.from('],"criticalPath":');
const DIAGNOSTICS = Buffer.from(',"diagnostics":');
