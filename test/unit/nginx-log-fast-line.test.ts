// The common ingress-nginx line read by one regular expression (nginx-log/fast-line.ts) gives exactly the record the
// field-by-field reader gives, key for key and in order, or leaves the line to it. Random lines from the parts real
// logs have, and damaged ones; fast-check prints the seed and the shrunk line on failure.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { fastLine } from '../../src/core/ingest/nginx-log/fast-line';
import { parseTokens } from '../../src/core/ingest/nginx-log/text-format';

const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);
// Mostly what real lines hold, so most lines take the fast way; sometimes what they must not.
const mostly = <T>(good: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: odd });
const word = mostly(
  pick('-', '10.0.0.1', '10.244.0.13:8080', 'shop-orders-80'),
  fc.oneof(
    pick('::1', '[::1]:80', 'unix:/tmp/x.sock', 'a,b', 'x:', ':', '%v', '"q', '[x]'),
    fc.stringMatching(/^[!-~]{1,12}$/),
  ),
);
const quoted = mostly(
  pick('-', 'curl/8.5.0', 'GET /orders/1 HTTP/1.1', 'GET /a b HTTP/1.1', 'POST /x?q=1 HTTP/2.0', 'GET /'),
  fc.oneof(
    pick('x\\x22y', 'a\\"b', ''),
    fc.stringMatching(/^[ -~]{0,20}$/).filter((s) => !s.includes('"')),
  ),
);
const secs = mostly(
  fc.nat(99999).map((n) => (n / 1000).toFixed(3)),
  pick('-', '0.000', '12.5', '1.', 'x', '1234567890123.1'),
);
const time = mostly(
  pick('27/Nov/2026:10:00:00 +0000', '05/Dec/2026:23:59:60 -0130'),
  pick('32/Nov/2026:10:00:00 +0000', '27/Nox/2026:10:00:00 +0000', '27/Nov/2026:24:00:00 +0000'),
);
const digits = mostly(fc.nat(600).map(String), pick('0', '0200', '999', '1000', '-1', '12345678901234567', 'x'));
const bracket = mostly(pick('', '-', 'shop-orders-80', 'a b'), fc.stringMatching(/^[ -~]{0,10}$/));
const msec = mostly(
  fc.nat(999).map((n) => `1795773600.${String(n).padStart(3, '0')}`),
  pick('1795773600.1', '179577360.001', '-', '17957736000000.001'),
);

const line = fc
  .record({
    addr: word,
    user: word,
    time,
    req: quoted,
    status: digits,
    bytes: digits,
    ref: quoted,
    ua: quoted,
    len: digits,
    rt: secs,
    name: bracket,
    alt: bracket,
    up: mostly(
      word.map((w) => [w]),
      fc.array(word, { minLength: 2, maxLength: 3 }),
    ),
    upLen: digits,
    upRt: secs,
    upStatus: digits,
    id: mostly(pick('-', '0af7651916cd43dd8448eb211c80319c'), fc.option(word, { nil: undefined })),
    timings: fc.option(fc.tuple(secs, secs, msec), { nil: undefined }),
  })
  .map(
    (f) =>
      `${f.addr} - ${f.user} [${f.time}] "${f.req}" ${f.status} ${f.bytes} "${f.ref}" "${f.ua}" ${f.len} ${f.rt} ` +
      `[${f.name}] [${f.alt}] ${f.up.join(', ')} ${f.upLen} ${f.upRt} ${f.upStatus}` +
      `${f.id === undefined ? '' : ` ${f.id}`}${f.timings ? ` ${f.timings.join(' ')}` : ''}`,
  );

// Damage as real logs have it: cut, a character dropped or added, doubled spaces.
const damaged = fc.tuple(line, fc.nat(), fc.stringMatching(/^[ -~]{0,3}$/)).map(([l, n, x]) => {
  const k = n % (l.length + 1);
  return n % 3 === 0 ? l.slice(0, k) : n % 3 === 1 ? l.slice(0, k) + x + l.slice(k + 1) : l.replace(' ', '  ');
});

function same(l: string): void {
  const fast = fastLine(l);
  if (fast === undefined) return;
  assert.equal(JSON.stringify(fast), JSON.stringify(parseTokens(l)), l);
}

test('the fast way gives the field-by-field record, or leaves the line to it', () => {
  fc.assert(fc.property(fc.oneof(line, damaged), same), { numRuns: 20000 });
});

test('it takes the lines real controllers write: every request line of the fixtures is read the fast way', () => {
  const fixtures = join(__dirname, '../fixtures');
  const lines = [
    ...readFileSync(join(fixtures, 'controller-log/ingress-nginx-kubectl.log'), 'utf8').split('\n'),
    '127.0.0.1 - - [27/Nov/2026:10:00:00 +0000] "GET /orders/1 HTTP/1.1" 200 101 "-" "curl/7.88.1" 88 0.011 [shop-orders-80] [] 127.10.0.4:8080 101 0.010 200 0000000000000000000000009e3779b2 0.001 0.009 1795773600.001',
  ].filter((l) =>
    /^\d+\.\d+\.\d+\.\d+ - - \[.*\] "[^"\\]*" \d+ \d+ "[^"\\]*" "[^"\\]*" \d+ [\d.]+ \[[^\]]*\] \[[^\]]*\] [^ ,]+ \d+ [\d.]+ \d+ [0-9a-f]{32}/.test(
      l,
    ),
  );
  assert.ok(lines.length >= 2, 'the fixtures hold plain upstreaminfo lines');
  for (const l of lines) {
    assert.ok(fastLine(l), l);
    same(l);
  }
});
