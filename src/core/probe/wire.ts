// HTTP/1.1 on the wire, both ways: the request's bytes, checked as Node's own client checks them, and a reader that
// takes one response from a connection's bytes as they arrive. The probe speaks HTTP itself (probe/connections.ts
// says why); this file knows nothing of sockets.

export interface WireRequest {
  method: string;
  path: string;
  host: string;
  headers: Record<string, string>;
  body?: Buffer;
  keepAlive: boolean;
}

export interface ResponseHead {
  status: number;
  statusMessage: string;
  /** Lower-case names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
}

/** A response the reader cannot take: the connection is not HTTP/1.x or broke its framing. */
export class WireError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Larger heads are refused; Node's own client allows 16 KB. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size line or a trailer line longer than this is not HTTP. */
const MAX_LINE_BYTES = 8 * 1024;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What Node's http client accepts in a header value: tab, visible ASCII, space and latin1 (no CR, LF or NUL).
const BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
// What Node's http client accepts in a request path: no space, no control character, nothing past latin1.
const BAD_PATH = /[^\u0021-\u00ff]/;
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const DIGITS = /^\d{1,15}$/;
// Whitespace String.trim would remove, at either end of a header value.
const EDGE_SPACE = /^\s|\s$/;
/** What is left after a response that ends its bytes: nearly always the case, so one empty Buffer serves all. */
const NOTHING = Buffer.alloc(0);

/**
 * The request's bytes. A header name or value, path or method that would change the request's framing (CR, LF,
 * control characters, a space in the path) is refused with an Error, as Node's client refuses it: `-H` values come
 * from users and must not smuggle a second request. `keepAlive` overrides the request's own (a burst's exchanges
 * pass theirs without a copy of the request).
 */
export function requestBytes(
  r: Omit<WireRequest, 'keepAlive'> & { keepAlive?: boolean },
  keepAlive = r.keepAlive ?? false,
): Buffer {
  if (!TOKEN.test(r.method)) throw new TypeError(`invalid HTTP method ${JSON.stringify(r.method)}`);
  if (BAD_PATH.test(r.path)) throw new TypeError('the request path contains unescaped characters');
  let head = `${r.method} ${r.path} HTTP/1.1\r\nhost: ${checkValue('host', r.host)}\r\n`;
  let length = false;
  for (const k of Object.keys(r.headers)) {
    const name = lowerName(k);
    if (name === undefined) throw new TypeError(`invalid header name ${JSON.stringify(k)}`);
    if (name === 'host' || name === 'connection') continue; // written here, once
    if (name === 'content-length') length = true;
    head += `${k}: ${checkValue(k, r.headers[k])}\r\n`;
  }
  if (!length && (r.body?.length || WITH_BODY.has(r.method))) head += `content-length: ${r.body?.length ?? 0}\r\n`;
  head += keepAlive ? 'connection: keep-alive\r\n\r\n' : 'connection: close\r\n\r\n';
  const bytes = Buffer.from(head, 'latin1');
  return r.body?.length ? Buffer.concat([bytes, r.body]) : bytes;
}

function checkValue(name: string, v: string): string {
  if (BAD_VALUE.test(v)) throw new TypeError(`invalid character in the value of header ${JSON.stringify(name)}`);
  return v;
}

// A burst sends and receives the same few header names thousands of times: each is checked and lower-cased once,
// and the one lower-case string kept is what the parsed heads use as a key, so V8 does not look every fresh copy
// up in its table of property names (a burst's client spent more on that than on parsing the rest of the head).
const names = new Map<string, string | undefined>();
const MAX_NAMES = 512;

/** The header name lower-cased, or undefined when it is not an HTTP token. */
function lowerName(raw: string): string | undefined {
  let v = names.get(raw);
  if (v === undefined && !names.has(raw)) {
    if (names.size >= MAX_NAMES) names.clear();
    v = TOKEN.test(raw) ? raw.toLowerCase() : undefined;
    names.set(raw, v);
  }
  return v;
}

type State = 'head' | 'length' | 'size' | 'data' | 'data-end' | 'trailers' | 'close' | 'done';

/**
 * One response, from bytes fed as they arrive (split anywhere). `feed` returns undefined until the response is
 * complete, then the bytes after it (empty when none). `closed` says whether a response that ends with its
 * connection is complete. Malformed input throws WireError.
 */
export class ResponseReader {
  head?: ResponseHead;
  /** Whether the connection may carry another request after this response. */
  keepAlive = false;
  private state: State = 'head';
  private left = 0;
  /** Bytes of an unfinished head or line, kept until the rest arrives. */
  private carry?: Buffer;

  /**
   * @param noBody the request was HEAD: its response has no body whatever its headers say
   * @param onBody receives the body's bytes (chunked framing removed), as they arrive
   */
  constructor(
    private readonly noBody: boolean,
    private readonly onBody: (b: Buffer) => void,
  ) {}

  get done(): boolean {
    return this.state === 'done';
  }

  feed(input: Buffer): Buffer | undefined {
    const b = this.carry ? Buffer.concat([this.carry, input]) : input;
    this.carry = undefined;
    let at = 0;
    while (at < b.length || this.state === 'done') {
      switch (this.state) {
        case 'done':
          return at === b.length ? NOTHING : b.subarray(at);
        case 'head': {
          const end = b.indexOf('\r\n\r\n', at, 'latin1');
          if (end < 0) return this.keep(b, at, MAX_HEAD_BYTES, 'HPE_HEADER_OVERFLOW', 'the response head');
          if (end - at > MAX_HEAD_BYTES)
            throw new WireError('HPE_HEADER_OVERFLOW', `the response head is longer than ${MAX_HEAD_BYTES} bytes`);
          const text = b.toString('latin1', at, end);
          at = end + 4;
          this.readHead(text);
          break;
        }
        case 'length': {
          const n = Math.min(this.left, b.length - at);
          this.onBody(b.subarray(at, at + n));
          at += n;
          this.left -= n;
          if (this.left === 0) this.state = 'done';
          break;
        }
        case 'close':
          this.onBody(b.subarray(at));
          at = b.length;
          break;
        case 'size': {
          const end = b.indexOf('\r\n', at, 'latin1');
          if (end < 0) return this.keep(b, at, MAX_LINE_BYTES, 'HPE_INVALID_CHUNK_SIZE', 'a chunk size line');
          const line = b.toString('latin1', at, end);
          at = end + 2;
          const hex = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(line);
          if (!hex) throw new WireError('HPE_INVALID_CHUNK_SIZE', `invalid chunk size line ${JSON.stringify(line)}`);
          this.left = parseInt(hex[1], 16);
          this.state = this.left === 0 ? 'trailers' : 'data';
          break;
        }
        case 'data': {
          const n = Math.min(this.left, b.length - at);
          this.onBody(b.subarray(at, at + n));
          at += n;
          this.left -= n;
          if (this.left === 0) this.state = 'data-end';
          break;
        }
        case 'data-end': {
          if (b.length - at < 2) return this.keep(b, at, 2, 'HPE_STRICT', 'a chunk end');
          if (b[at] !== 13 || b[at + 1] !== 10)
            throw new WireError('HPE_STRICT', 'a chunk of the body does not end with CRLF');
          at += 2;
          this.state = 'size';
          break;
        }
        case 'trailers': {
          const end = b.indexOf('\r\n', at, 'latin1');
          if (end < 0) return this.keep(b, at, MAX_LINE_BYTES, 'HPE_HEADER_OVERFLOW', 'a trailer line');
          const empty = end === at;
          at = end + 2;
          if (empty) this.state = 'done'; // trailers are read past, not kept
          break;
        }
      }
    }
    return undefined;
  }

  /** The connection closed. True when that completes the response (its body ran to the close). */
  closed(): boolean {
    if (this.state === 'close') this.state = 'done';
    return this.state === 'done';
  }

  private keep(b: Buffer, at: number, max: number, code: string, what: string): undefined {
    if (b.length - at > max) throw new WireError(code, `${what} is longer than ${max} bytes`);
    this.carry = b.subarray(at);
    return undefined;
  }

  private readHead(text: string): void {
    // Line by line in place: a burst reads thousands of heads, and splitting each into a list of lines, then trimming
    // every value into another string, made half of the garbage of reading one.
    const nl = text.indexOf('\r\n');
    const first = nl < 0 ? text : text.slice(0, nl);
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(first);
    if (!m) throw new WireError('HPE_INVALID_CONSTANT', `not an HTTP/1.x status line: ${JSON.stringify(first)}`);
    const status = Number(m[2]);
    const headers: Record<string, string> = {};
    for (let at = nl < 0 ? text.length : nl + 2; at < text.length;) {
      let end = text.indexOf('\r\n', at);
      if (end < 0) end = text.length;
      const colon = text.indexOf(':', at);
      const key = colon > at && colon < end ? lowerName(text.slice(at, colon)) : undefined;
      if (key === undefined)
        throw new WireError(
          'HPE_INVALID_HEADER_TOKEN',
          `invalid response header line ${JSON.stringify(text.slice(at, end))}`,
        );
      // The one space after the colon is skipped without a copy; anything else to trim is trimmed as String.trim does.
      let value = text.slice(text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1, end);
      if (EDGE_SPACE.test(value)) value = value.trim();
      // Own properties only: a server's `toString` or `__proto__` header is a header like any other.
      const joined = Object.hasOwn(headers, key) ? `${headers[key]}, ${value}` : value;
      if (key === '__proto__') Object.defineProperty(headers, key, { value: joined, enumerable: true, writable: true });
      else headers[key] = joined;
      at = end + 2;
    }
    // 1xx answers (100 Continue, 103 Early Hints) come before the real one; 101 ends HTTP on this connection.
    if (status >= 100 && status < 200 && status !== 101) return;
    this.head = { status, statusMessage: m[3] ?? '', headers };
    const connection = (headers.connection ?? '').toLowerCase();
    this.keepAlive = m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const coding = headers['transfer-encoding'];
    const length = headers['content-length'];
    if (this.noBody || status === 204 || status === 304 || status === 101) {
      this.state = 'done';
      if (status === 101) this.keepAlive = false;
    } else if (coding !== undefined) {
      // RFC 9112 6.3: chunked last means chunked framing; any other coding runs to the close.
      this.state = /(?:^|,)\s*chunked\s*$/i.test(coding) ? 'size' : 'close';
    } else if (length !== undefined) {
      // One plain length is the rule; repeated ones must all be equal (RFC 9110 8.6).
      const values = DIGITS.test(length) ? [length] : [...new Set(length.split(',').map((s) => s.trim()))];
      const [one] = values;
      if (values.length !== 1 || !DIGITS.test(one))
        throw new WireError('HPE_UNEXPECTED_CONTENT_LENGTH', `invalid content-length ${JSON.stringify(length)}`);
      this.left = Number(one);
      this.state = this.left === 0 ? 'done' : 'length';
    } else this.state = 'close';
    if (this.state === 'close') this.keepAlive = false;
  }
}
