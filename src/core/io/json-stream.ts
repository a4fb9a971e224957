// An incremental JSON reader for big trace files. It never builds the whole text as one string: it scans bytes,
// keeps only the containers that lie on a "pattern" path (e.g. data[*].spans[*]) as small partial objects, and
// hands each element matched by a pattern to the caller as soon as its last byte arrives (JSON.parse per element).
// Everything off the pattern paths (e.g. a trace's `processes`) is parsed whole and put into its partial parent.
// Bad input ends the stream with one `error` event that says where; it never throws.

export type PathSeg = string | number;
/** One pattern segment: the object keys it accepts, or '*' for any element of an array. */
export type PatternSeg = readonly string[] | '*';
export type Pattern = readonly PatternSeg[];

export type JsonEvent =
  /** An element a pattern matched. `parents` are the partial containers from the root down to its array. */
  | { type: 'element'; path: PathSeg[]; value: unknown; parents: unknown[] }
  /** A container on a pattern path closed; `value` holds its keys that were not streamed. */
  | { type: 'close'; path: PathSeg[]; value: unknown }
  /** A top-level value ended (files may hold several, one per line, as the OTel collector's file exporter writes). */
  | { type: 'end'; index: number; value: unknown }
  /** A value inside a streamed array that no pattern can use (e.g. a number where a span object belongs). */
  | { type: 'stray'; path: PathSeg[]; value: unknown }
  | { type: 'error'; message: string; offset: number };

export interface JsonStreamOptions {
  /** The largest single captured value, in bytes (default 512 MiB); bigger ones end the stream with an error. */
  maxValueBytes?: number;
}

type ObjState = 'keyOrEnd' | 'key' | 'colon' | 'value' | 'commaOrEnd';
type ArrState = 'valueOrEnd' | 'value' | 'commaOrEnd';
interface Frame {
  isArray: boolean;
  value: Record<string, unknown> | unknown[];
  alive: number[]; // indices of patterns whose prefix matches this container's path
  key: string; // current key (objects)
  index: number; // current index (arrays)
  state: ObjState | ArrState;
}

const enum Mode {
  Struct,
  Key,
  CaptureContainer,
  CaptureString,
  CapturePrimitive,
}

const WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

export class JsonStreamScanner {
  private readonly patterns: Pattern[];
  private readonly maxValueBytes: number;
  private stack: Frame[] = [];
  private mode = Mode.Struct;
  private rootIndex = 0;
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private depth = 0;
  private inString = false;
  private escape = false;
  private target: { kind: 'element' | 'assign' | 'root' } = { kind: 'assign' };
  private offset = 0; // bytes consumed before the current chunk
  private startOffset = 0; // where the captured value began
  private failed = false;
  private bomChecked = false;
  readonly events: JsonEvent[] = [];

  constructor(patterns: Pattern[], opts: JsonStreamOptions = {}) {
    this.patterns = patterns;
    this.maxValueBytes = opts.maxValueBytes ?? 512 * 1024 * 1024;
  }

  get done(): boolean {
    return this.failed;
  }

  /** Feeds one chunk; events produced are appended to `events` (the caller drains them). */
  write(chunk: Uint8Array): void {
    if (this.failed) return;
    let i = 0;
    if (!this.bomChecked && chunk.length) {
      this.bomChecked = true;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    const n = chunk.length;
    let captureStart = -1;
    if (this.mode !== Mode.Struct) captureStart = i;
    while (i < n && !this.failed) {
      switch (this.mode) {
        case Mode.Struct: {
          const c = chunk[i];
          if (WS[c]) {
            i++;
            continue;
          }
          const started = this.structByte(c, this.offset + i);
          if (started) captureStart = i;
          // A primitive's first byte is read again in capture mode; quotes and brackets are consumed here.
          if (!started || (this.mode as Mode) !== Mode.CapturePrimitive) i++;
          continue;
        }
        case Mode.Key:
        case Mode.CaptureString: {
          // Jump straight to the next quote or backslash: strings are most of a trace file.
          for (; i < n; i++) {
            const c = chunk[i];
            if (this.escape) {
              this.escape = false;
              continue;
            }
            if (c === 0x5c) {
              this.escape = true;
              continue;
            }
            if (c === 0x22) break;
          }
          if (i === n) break;
          i++;
          this.collect(chunk.subarray(captureStart, i));
          captureStart = -1;
          this.finishCapture();
          continue;
        }
        case Mode.CaptureContainer: {
          for (; i < n; i++) {
            const c = chunk[i];
            if (this.inString) {
              if (this.escape) this.escape = false;
              else if (c === 0x5c) this.escape = true;
              else if (c === 0x22) this.inString = false;
              continue;
            }
            if (c === 0x22) this.inString = true;
            else if (c === 0x7b || c === 0x5b) this.depth++;
            else if (c === 0x7d || c === 0x5d) {
              if (--this.depth === 0) break;
            }
          }
          if (i === n) break;
          i++;
          this.collect(chunk.subarray(captureStart, i));
          captureStart = -1;
          this.finishCapture();
          continue;
        }
        case Mode.CapturePrimitive: {
          for (; i < n; i++) {
            const c = chunk[i];
            if (WS[c] || c === 0x2c || c === 0x5d || c === 0x7d) break;
          }
          if (i === n) break;
          this.collect(chunk.subarray(captureStart, i));
          captureStart = -1;
          this.finishCapture();
          continue; // the delimiter is read in Struct mode
        }
      }
    }
    if (!this.failed && this.mode !== Mode.Struct && captureStart >= 0 && captureStart < n)
      this.collect(chunk.subarray(captureStart, n));
    this.offset += n;
  }

  /** Ends the input: a value cut short is an error, as is no value at all. */
  end(): void {
    if (this.failed) return;
    if (this.mode === Mode.CapturePrimitive) this.finishCapture();
    if (this.failed) return;
    if (this.mode !== Mode.Struct || this.stack.length)
      this.fail('the JSON ends too early (is the file truncated?)', this.offset);
    else if (this.rootIndex === 0) this.fail('the input holds no JSON value', this.offset);
  }

  private collect(b: Uint8Array): void {
    if (!b.length) return;
    this.parts.push(b);
    this.partBytes += b.length;
    if (this.partBytes > this.maxValueBytes)
      this.fail(`a single JSON value is larger than ${this.maxValueBytes} bytes`, this.startOffset);
  }

  private fail(message: string, offset: number): void {
    if (this.failed) return;
    this.failed = true;
    this.events.push({ type: 'error', message, offset });
  }

  /** Handles one non-whitespace byte at structure level. Returns true when a capture starts at this byte. */
  private structByte(c: number, at: number): boolean {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      return this.beginValue(c, at, undefined);
    }
    if (top.isArray) {
      const st = top.state as ArrState;
      if (c === 0x5d && (st === 'valueOrEnd' || st === 'commaOrEnd')) {
        this.closeFrame();
        return false;
      }
      if (st === 'commaOrEnd') {
        if (c === 0x2c) {
          top.state = 'value';
          top.index++;
          return false;
        }
        this.fail(`expected , or ] but found ${show(c)}`, at);
        return false;
      }
      return this.beginValue(c, at, top);
    }
    const st = top.state as ObjState;
    if (c === 0x7d && (st === 'keyOrEnd' || st === 'commaOrEnd')) {
      this.closeFrame();
      return false;
    }
    switch (st) {
      case 'keyOrEnd':
      case 'key':
        if (c !== 0x22) {
          this.fail(`expected a key but found ${show(c)}`, at);
          return false;
        }
        this.startCapture(Mode.Key, at);
        return true;
      case 'colon':
        if (c !== 0x3a) this.fail(`expected : but found ${show(c)}`, at);
        else top.state = 'value';
        return false;
      case 'commaOrEnd':
        if (c !== 0x2c) this.fail(`expected , or } but found ${show(c)}`, at);
        else top.state = 'key';
        return false;
      default:
        return this.beginValue(c, at, top);
    }
  }

  private beginValue(c: number, at: number, parent: Frame | undefined): boolean {
    const depth = this.stack.length;
    const seg: PathSeg | undefined = parent ? (parent.isArray ? parent.index : parent.key) : undefined;
    const candidates = parent ? parent.alive : this.patterns.map((_, k) => k);
    const alive: number[] = [];
    let full = false;
    let deeper = false;
    for (const k of candidates) {
      const p = this.patterns[k];
      if (parent) {
        const s = p[depth - 1];
        if (s === undefined) continue;
        if (s === '*' ? !parent.isArray : parent.isArray || !s.includes(seg as string)) continue;
      }
      if (p.length === depth) full = true;
      else {
        alive.push(k);
        deeper = true;
      }
    }
    // A container that a longer pattern can walk into is opened (e.g. Zipkin's list of lists); otherwise a full match is an element.
    if (deeper && (c === 0x7b || c === 0x5b)) {
      const wantsArray = alive.some((k) => this.patterns[k][depth] === '*');
      const wantsObject = alive.some((k) => this.patterns[k][depth] !== '*');
      const isArray = c === 0x5b;
      if ((isArray && wantsArray) || (!isArray && wantsObject)) {
        const value: Record<string, unknown> | unknown[] = isArray ? [] : {};
        if (parent && !parent.isArray) (parent.value as Record<string, unknown>)[parent.key] = value;
        this.stack.push({ isArray, value, alive, key: '', index: 0, state: isArray ? 'valueOrEnd' : 'keyOrEnd' });
        return false;
      }
    }
    if (parent && full) {
      this.target = { kind: 'element' };
      return this.startValueCapture(c, at);
    }
    this.target = { kind: parent ? 'assign' : 'root' };
    return this.startValueCapture(c, at);
  }

  private startValueCapture(c: number, at: number): boolean {
    if (c === 0x7b || c === 0x5b) {
      this.depth = 1;
      this.inString = false;
      this.escape = false;
      this.startCapture(Mode.CaptureContainer, at);
      return true;
    }
    if (c === 0x22) {
      this.startCapture(Mode.CaptureString, at);
      return true;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
      this.startCapture(Mode.CapturePrimitive, at);
      return true;
    }
    this.fail(`unexpected ${show(c)}`, at);
    return false;
  }

  private startCapture(mode: Mode, at: number): void {
    this.mode = mode;
    this.parts = [];
    this.partBytes = 0;
    this.escape = false;
    this.startOffset = at;
  }

  private finishCapture(): void {
    if (this.failed) return;
    const mode = this.mode;
    this.mode = Mode.Struct;
    const buf = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8'));
    } catch (e) {
      this.fail(`invalid JSON value: ${(e as Error).message}`, this.startOffset);
      return;
    }
    const top = this.stack[this.stack.length - 1];
    if (mode === Mode.Key) {
      top.key = value as string;
      top.state = 'colon';
      return;
    }
    if (!top) {
      this.events.push({ type: 'end', index: this.rootIndex++, value });
      return;
    }
    if (this.target.kind === 'element') {
      this.events.push({ type: 'element', path: this.path(), value, parents: this.stack.map((f) => f.value) });
    } else if (!top.isArray) {
      (top.value as Record<string, unknown>)[top.key] = value;
    } else {
      this.events.push({ type: 'stray', path: this.path(), value });
    }
    top.state = 'commaOrEnd';
  }

  private path(): PathSeg[] {
    return this.stack.map((f) => (f.isArray ? f.index : f.key));
  }

  private closeFrame(): void {
    const frame = this.stack.pop() as Frame;
    const parent = this.stack[this.stack.length - 1];
    this.events.push({ type: 'close', path: this.path(), value: frame.value });
    if (parent) parent.state = 'commaOrEnd';
    else {
      this.events.push({ type: 'end', index: this.rootIndex++, value: frame.value });
    }
  }
}

function show(c: number): string {
  return c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/** Streams the events of `chunks` (file or HTTP body pieces) matched against `patterns`. */
export async function* streamJson(
  chunks: AsyncIterable<Uint8Array | string>,
  patterns: Pattern[],
  opts?: JsonStreamOptions,
): AsyncGenerator<JsonEvent> {
  const scanner = new JsonStreamScanner(patterns, opts);
  for await (const chunk of chunks) {
    scanner.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    if (scanner.events.length) yield* scanner.events.splice(0);
    if (scanner.done) return;
  }
  scanner.end();
  yield* scanner.events.splice(0);
}

/** The same over a buffer already in memory (HTTP bodies), synchronously. */
export function scanJson(body: Uint8Array, patterns: Pattern[], opts?: JsonStreamOptions): JsonEvent[] {
  const scanner = new JsonStreamScanner(patterns, opts);
  scanner.write(body);
  scanner.end();
  return scanner.events;
}
