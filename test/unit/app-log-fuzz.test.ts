// Random and mutated app-log lines: a result (or undefined for blank), never a throw, bounded time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { appLogEvents, derivedAppSpan, matchAppLogLines, parseAppLogLine } from '../../src/core/ingest/app-log';

const SEEDS = readFileSync(join(__dirname, '../fixtures/app-log/sandbox-apps.log'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .concat([
    '{"timestamp":"2026-11-27T10:00:00.000123Z","level":"INFO","message":"handled","requestId":"r-1","http":{"route":"/u/:id","status_code":201},"duration_ms":4.25}',
    '2026-11-27 10:00:00,123 INFO werkzeug: "GET /catalog HTTP/1.1" 200 - request-id=4bf92f3577b34da6a3ce929d0e0e4736',
  ]);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function check(line: string) {
  const t0 = cpuMs();
  const r = parseAppLogLine(line);
  if (r) {
    assert.equal(typeof r.raw, 'string');
    assert.equal(typeof r.fields, 'object');
    if (r.traceId !== undefined) assert.match(r.traceId, /^[0-9a-f]{32}$/);
    if (r.spanId !== undefined) assert.match(r.spanId, /^[0-9a-f]{16}$/);
    if (r.status !== undefined) assert.ok(Number.isInteger(r.status) && r.status >= 100 && r.status <= 999);
    if (r.durationMs !== undefined) assert.ok(r.durationMs >= 0);
    const s = derivedAppSpan(r, {
      traceId: 't',
      service: 's',
      fallbackWindow: { startUnixNano: 1n, endUnixNano: 100n },
    });
    assert.ok(BigInt(s.startTimeUnixNano) <= BigInt(s.endTimeUnixNano));
    assert.equal(appLogEvents([r]).length, 1);
  } else {
    assert.ok(!line.trim() || line.length > 1 << 20);
  }
  matchAppLogLines([line], { requestId: line.slice(3, 9), traceId: '0af7651916cd43dd8448eb211c80319c' });
  const ms = cpuMs() - t0;
  assert.ok(ms < 500 + line.length / 200, `${ms.toFixed(0)} ms CPU for ${line.length} chars`);
}

const NOISE = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 3 }),
  fc.constantFrom('=', '"', '\\', ' ', '{', '}', '\t', 'request_id=', 'trace_id=', '00-', 'ts=', '\\"'),
);

test('random lines (3000)', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.array(NOISE, { maxLength: 60 }).map((a) => a.join('')),
      ),
      check,
    ),
    { numRuns: 3000 },
  );
});

test('mutated real lines (3000)', () => {
  const mutate = fc.oneof(
    fc.nat().map((n) => (s: string) => s.slice(0, n % (s.length + 1))),
    fc.tuple(fc.nat(), NOISE).map(([n, x]) => (s: string) => {
      const i = n % (s.length + 1);
      return s.slice(0, i) + x + s.slice(i);
    }),
    fc
      .tuple(fc.nat(), fc.constantFrom('x', ' ', '"', '\\', '=', 'a=b ', '{'), fc.integer({ min: 1000, max: 50_000 }))
      .map(([n, u, c]) => (s: string) => {
        const i = n % (s.length + 1);
        return s.slice(0, i) + u.repeat(Math.ceil(c / u.length)) + s.slice(i);
      }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...SEEDS), fc.array(mutate, { minLength: 1, maxLength: 3 }), (seed, ms) =>
      check(ms.reduce((s, m) => m(s), seed)),
    ),
    { numRuns: 3000 },
  );
});

test('1 MB lines finish quickly', () => {
  for (const unit of ['"', '\\', ' ', '=', 'a=', '{"a":', 'request_id='])
    check(unit.repeat(Math.floor((1 << 20) / unit.length) - 1));
});
