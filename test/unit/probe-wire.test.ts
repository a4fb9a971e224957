// The probe's HTTP/1.1 on the wire (src/core/probe/wire.ts). Property tests (fast-check prints the seed of a
// failure): any response, in any framing, split anywhere, reads back as written with the bytes after it left over;
// damaged responses give a WireError or wait for more, never anything else. Requests: what users type into headers
// cannot add a line to the request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requestBytes, ResponseReader, WireError } from '../../src/core/probe/wire';

const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/).filter((n) => !RESERVED.has(n));
const RESERVED = new Set(['content-length', 'transfer-encoding', 'connection']);
const value = fc.stringMatching(/^[!-~](?:[ -~]{0,20}[!-~])?$/);

interface Model {
  preludes: { status: number; headers: [string, string][] }[];
  version: '1.0' | '1.1';
  status: number;
  reason: string;
  headers: [string, string][];
  connection?: 'close' | 'keep-alive';
  framing: 'length' | 'chunked' | 'close';
  body: Uint8Array;
  chunks: number[];
  extensions: boolean;
  trailers: [string, string][];
  head: boolean;
  after: Uint8Array;
}

const model: fc.Arbitrary<Model> = fc.record({
  preludes: fc.array(
    fc.record({ status: fc.constantFrom(100, 102, 103), headers: fc.array(fc.tuple(token, value), { maxLength: 3 }) }),
    { maxLength: 2 },
  ),
  version: fc.constantFrom('1.0' as const, '1.1' as const),
  status: fc.constantFrom(200, 201, 204, 301, 304, 404, 500, 502, 504),
  reason: fc.constantFrom('', 'OK', 'Not Found', 'Gateway Time-out'),
  headers: fc.array(fc.tuple(token, value), { maxLength: 6 }),
  connection: fc.constantFrom(undefined, 'close' as const, 'keep-alive' as const),
  framing: fc.constantFrom('length' as const, 'chunked' as const, 'close' as const),
  body: fc.uint8Array({ maxLength: 400 }),
  chunks: fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 1, maxLength: 8 }),
  extensions: fc.boolean(),
  trailers: fc.array(fc.tuple(token, value), { maxLength: 2 }),
  head: fc.boolean(),
  after: fc.uint8Array({ maxLength: 40 }),
});

function bodyless(m: Model): boolean {
  return m.head || m.status === 204 || m.status === 304;
}

function serialize(m: Model): Buffer {
  const parts: Buffer[] = [];
  for (const p of m.preludes)
    parts.push(Buffer.from(`HTTP/1.1 ${p.status} Info\r\n${p.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`));
  let head = `HTTP/${m.version} ${m.status}${m.reason ? ` ${m.reason}` : ''}\r\n`;
  for (const [k, v] of m.headers) head += `${k}: ${v}\r\n`;
  if (m.connection) head += `Connection: ${m.connection}\r\n`;
  const body = Buffer.from(m.body);
  if (m.framing === 'length') head += `Content-Length: ${body.length}\r\n`;
  if (m.framing === 'chunked') head += 'Transfer-Encoding: chunked\r\n';
  parts.push(Buffer.from(`${head}\r\n`, 'latin1'));
  if (!bodyless(m)) {
    if (m.framing === 'chunked') {
      let at = 0;
      for (let i = 0; at < body.length; i++) {
        const n = Math.min(m.chunks[i % m.chunks.length], body.length - at);
        parts.push(Buffer.from(`${n.toString(16)}${m.extensions ? ';x=1' : ''}\r\n`), body.subarray(at, at + n));
        parts.push(Buffer.from('\r\n'));
        at += n;
      }
      parts.push(Buffer.from(`0\r\n${m.trailers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`));
    } else parts.push(body);
  }
  // Bytes after the response: only a delimited response can have any (a close-delimited body takes them).
  if (bodyless(m) || m.framing !== 'close') parts.push(Buffer.from(m.after));
  return Buffer.concat(parts);
}

function expected(m: Model) {
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers) headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  if (m.connection) headers.connection = m.connection;
  if (m.framing === 'length') headers['content-length'] = String(m.body.length);
  if (m.framing === 'chunked') headers['transfer-encoding'] = 'chunked';
  const alive = m.version === '1.1' ? m.connection !== 'close' : m.connection === 'keep-alive';
  const none = bodyless(m);
  return {
    status: m.status,
    statusMessage: m.reason,
    headers,
    body: none ? Buffer.alloc(0) : Buffer.from(m.body),
    keepAlive: alive && (none || m.framing !== 'close'),
    after: none || m.framing !== 'close' ? Buffer.from(m.after) : Buffer.alloc(0),
    toClose: !none && m.framing === 'close',
  };
}

/** Feeds `bytes` cut at `cuts`; returns the body, what came after the response, and whether it completed. */
function read(bytes: Buffer, cuts: number[], head: boolean) {
  const body: Buffer[] = [];
  const r = new ResponseReader(head, (b) => body.push(Buffer.from(b)));
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  let after: Buffer | undefined;
  for (const to of [...points, bytes.length]) {
    const piece = bytes.subarray(from, to);
    from = to;
    if (after) after = Buffer.concat([after, piece]);
    else if (piece.length || to === bytes.length) after = r.feed(piece);
  }
  return { r, body: Buffer.concat(body), after };
}

test('any response, split anywhere, reads back as written; the bytes after it are left over', () => {
  fc.assert(
    fc.property(model, fc.array(fc.nat(), { maxLength: 12 }), (m, cuts) => {
      const want = expected(m);
      const { r, body, after } = read(serialize(m), cuts, m.head);
      if (want.toClose) {
        assert.equal(after, undefined, 'a body that runs to the close is not complete before it');
        assert.equal(r.closed(), true);
      } else assert.deepEqual(after, want.after);
      assert.equal(r.done, true);
      assert.deepEqual(r.head, { status: want.status, statusMessage: want.statusMessage, headers: want.headers });
      assert.deepEqual(body, want.body);
      assert.equal(r.keepAlive, want.keepAlive);
    }),
    { numRuns: 400 },
  );
});

test('a response cut short is not complete, and a close before its end does not complete it', () => {
  fc.assert(
    fc.property(model, fc.nat(), (m, cut) => {
      fc.pre(!expected(m).toClose);
      const bytes = serialize(m);
      const whole = bytes.length - m.after.length;
      const at = cut % whole; // strictly inside the response
      const r = new ResponseReader(m.head, () => {});
      assert.equal(r.feed(bytes.subarray(0, at)), undefined);
      assert.equal(r.closed(), false);
    }),
    { numRuns: 300 },
  );
});

test('damaged responses give a WireError or wait for more bytes, and nothing else', () => {
  const damage = fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 10, 13, 32, 48, 58, 59, 65, 102, 255)), {
    minLength: 1,
    maxLength: 6,
  });
  fc.assert(
    fc.property(model, damage, fc.array(fc.nat(), { maxLength: 6 }), (m, hits, cuts) => {
      const bytes = Buffer.from(serialize(m));
      for (const [at, b] of hits) bytes[at % bytes.length] = b;
      try {
        const { after } = read(bytes, cuts, m.head);
        assert.ok(after === undefined || Buffer.isBuffer(after));
      } catch (e) {
        assert.ok(e instanceof WireError, `not a WireError: ${String(e)}`);
        assert.match(e.code, /^HPE_/);
      }
    }),
    { numRuns: 500 },
  );
});

test('framing the reader refuses, with the reason', () => {
  const cases: [string, string][] = [
    ['HTTP/2 200\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['SSH-2.0-OpenSSH_9.2\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nbad header\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\n folded: no\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX', 'HPE_STRICT'],
  ];
  for (const [text, code] of cases)
    assert.throws(
      () => new ResponseReader(false, () => {}).feed(Buffer.from(text, 'latin1')),
      (e: unknown) => e instanceof WireError && e.code === code,
      text,
    );
  const r = new ResponseReader(false, () => {});
  assert.throws(
    () => r.feed(Buffer.alloc(70 * 1024, 'a')),
    (e: unknown) => e instanceof WireError && e.code === 'HPE_HEADER_OVERFLOW',
  );
  // Repeated equal lengths are one length (RFC 9110 8.6); a transfer coding other than chunked runs to the close.
  const same = new ResponseReader(false, () => {});
  assert.deepEqual(same.feed(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok')), Buffer.alloc(0));
  const gzip = new ResponseReader(false, () => {});
  assert.equal(gzip.feed(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz')), undefined);
  assert.equal(gzip.keepAlive, false);
  assert.equal(gzip.closed(), true);
});

test('a request is written once, in order, with its framing headers', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'),
      fc.stringMatching(/^\/[!-~]{0,30}$/),
      fc.array(fc.tuple(token, value), { maxLength: 6 }),
      fc.option(fc.uint8Array({ minLength: 1, maxLength: 50 }), { nil: undefined }),
      fc.boolean(),
      (method, path, pairs, body, keepAlive) => {
        const headers = Object.fromEntries(pairs);
        const bytes = requestBytes({
          method,
          path,
          host: 'shop.example',
          headers,
          body: body && Buffer.from(body),
          keepAlive,
        });
        const end = bytes.indexOf('\r\n\r\n');
        const lines = bytes.toString('latin1', 0, end).split('\r\n');
        assert.equal(lines[0], `${method} ${path} HTTP/1.1`);
        assert.equal(lines[1], 'host: shop.example');
        const written = lines.slice(2).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]);
        const length = body?.length ?? (['POST', 'PUT', 'PATCH'].includes(method) ? 0 : undefined);
        assert.deepEqual(written, [
          ...Object.entries(headers),
          ...(length === undefined ? [] : [['content-length', String(length)]]),
          ['connection', keepAlive ? 'keep-alive' : 'close'],
        ]);
        assert.deepEqual(bytes.subarray(end + 4), Buffer.from(body ?? []));
      },
    ),
    { numRuns: 300 },
  );
});

test('a header, path or method that would add a line to the request is refused', () => {
  const base = { method: 'GET', path: '/', host: 'h', headers: {}, keepAlive: true };
  for (const v of ['a\r\nx-injected: 1', 'a\nb', 'a\rb', 'nul\0', 'del\x7f', 'wide\u0100'])
    assert.throws(() => requestBytes({ ...base, headers: { 'x-user': v } }), /invalid character/, JSON.stringify(v));
  for (const k of ['bad name', 'x:y', '', 'a\r\nb'])
    assert.throws(() => requestBytes({ ...base, headers: { [k]: 'v' } }), /invalid header name/, JSON.stringify(k));
  for (const p of ['/a b', '/a\r\nGET /', '/\u0100'])
    assert.throws(() => requestBytes({ ...base, path: p }), /unescaped characters/, JSON.stringify(p));
  assert.throws(() => requestBytes({ ...base, method: 'GET /x' }), /invalid HTTP method/);
  assert.throws(() => requestBytes({ ...base, host: 'h\r\nx: y' }), /invalid character/);
  // A user's own host or connection header does not make a second one.
  const one = requestBytes({ ...base, headers: { Host: 'other', Connection: 'upgrade' } }).toString('latin1');
  assert.equal(one.match(/^host:/gim)?.length, 1);
  assert.equal(one.match(/^connection:/gim)?.length, 1);
});

test('header names are checked and lower-cased the same however often they come, and past the cache of them', () => {
  const base = { method: 'GET', path: '/', host: 'h', headers: {}, keepAlive: true };
  // The reader and the writer keep each name they have seen (wire.ts `lowerName`): a name refused once is refused
  // again, one accepted keeps its lower case, and more names than the cache holds read the same.
  const head = (lines: string[]) => Buffer.from(`HTTP/1.1 204 No Content\r\n${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  for (let round = 0; round < 2; round++) {
    assert.throws(
      () => new ResponseReader(false, () => {}).feed(head(['X-Ok: 1', 'Bad Name: 2'])),
      (e: unknown) => e instanceof WireError && e.code === 'HPE_INVALID_HEADER_TOKEN',
    );
    const r = new ResponseReader(false, () => {});
    r.feed(head(['X-Ok: 1', 'x-OK: 2', 'Server: a']));
    assert.deepEqual(r.head?.headers, { 'x-ok': '1, 2', server: 'a' });
    assert.throws(() => requestBytes({ ...base, headers: { 'Bad Name': 'v' } }), /invalid header name/);
  }
  const many = Array.from({ length: 1300 }, (_, i) => `X-Name-${i}`);
  for (let from = 0; from < many.length; from += 100) {
    const r = new ResponseReader(false, () => {});
    r.feed(head(many.slice(from, from + 100).map((n, i) => `${n}: ${from + i}`)));
    const want = Object.fromEntries(many.slice(from, from + 100).map((n, i) => [n.toLowerCase(), String(from + i)]));
    assert.deepEqual(r.head?.headers, want);
  }
  const sent = requestBytes({ ...base, headers: Object.fromEntries(many.slice(0, 600).map((n) => [n, 'v'])) });
  assert.equal(
    sent
      .toString('latin1')
      .split('\r\n')
      .filter((l) => l.startsWith('X-Name-')).length,
    600,
  );
});

test('a response header named like an Object property is read as its own header', () => {
  const r = new ResponseReader(false, () => {});
  const text =
    'HTTP/1.1 204 No Content\r\nConstructor: a\r\ntoString: b\r\n__proto__: c\r\nhasOwnProperty: d\r\n' +
    'toString: e\r\n\r\n';
  r.feed(Buffer.from(text, 'latin1'));
  const h = r.head!.headers;
  assert.equal(Object.getPrototypeOf(h), Object.prototype);
  assert.deepEqual(Object.entries(h), [
    ['constructor', 'a'],
    ['tostring', 'b, e'],
    ['__proto__', 'c'],
    ['hasownproperty', 'd'],
  ]);
});
