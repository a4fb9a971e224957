// The watches' backoff and the reachability they report (src/core/kube/backoff.ts, reachability.ts): a fixed
// random sequence and a hand-set clock, so every number is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../src/core/kube/backoff';
import { KubeApiError } from '../../src/core/kube/errors';
import { Reachability, isUnreachable, type Reach } from '../../src/core/kube/reachability';

test('the backoff doubles from 1 s to a cap of 30 s and starts over after a reset', () => {
  const b = new Backoff({ jitter: 0 });
  assert.deepEqual(
    Array.from({ length: 8 }, () => b.next()),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
  );
  b.reset();
  assert.equal(b.next(), 1000);
});

test('jitter only shortens a wait, by at most its share', () => {
  const rolls = [0, 0.5, 0.999];
  const b = new Backoff({ jitter: 0.2, random: () => rolls.shift() ?? 0 });
  assert.deepEqual([b.next(), b.next(), b.next()], [1000, 1800, 3201]);
  const any = new Backoff({ initialMs: 100, maxMs: 800 });
  for (let i = 0; i < 50; i++) {
    const cap = Math.min(100 * 2 ** i, 800);
    const w = any.next();
    assert.ok(w <= cap && w >= cap * 0.8, `wait ${i} is ${w}, cap ${cap}`);
  }
});

test('reachability reports each change once, however many watches fail or answer', () => {
  let clock = 5000;
  const seen: Reach[] = [];
  const r = new Reachability(
    (x) => seen.push(x),
    () => clock,
  );
  const refused = new KubeApiError(
    'cannot reach the API server at https://127.0.0.1:1 (ECONNREFUSED)',
    'is it running?',
    0,
    'Unreachable',
  );
  r.answered();
  r.answered();
  clock = 6000;
  r.failed(refused, 1000);
  clock = 7000;
  r.failed(refused, 2000); // another kind's watch, or the next try: already known
  r.answered();
  r.answered();
  assert.deepEqual(
    seen.map((s) => s.kind),
    ['up', 'down', 'up'],
  );
  const down = seen[1] as Extract<Reach, { kind: 'down' }>;
  assert.equal(down.since, 6000);
  assert.equal(down.retryInMs, 1000);
  assert.equal(down.error, refused);
  assert.match(down.message, /ECONNREFUSED/);
  assert.equal(r.state.kind, 'up');
});

test('a cluster that never answered goes from unknown straight to down', () => {
  const seen: string[] = [];
  const r = new Reachability((x) => seen.push(x.kind));
  assert.equal(r.state.kind, 'unknown');
  r.failed(new KubeApiError('no answer within 10000 ms', undefined, 0, 'Unreachable'), 1000);
  assert.deepEqual(seen, ['down']);
});

test('only failures below HTTP count as unreachable', () => {
  const e = (status: number, reason: string) => new KubeApiError('x', undefined, status, reason);
  assert.ok(isUnreachable(e(0, 'Unreachable')));
  assert.ok(isUnreachable(e(0, 'TLS'))); // a restarted sandbox with a new CA: the old kubeconfig cannot talk to it
  assert.ok(isUnreachable(e(0, 'Network')));
  assert.ok(!isUnreachable(e(0, 'Cancelled'))); // our own stop
  assert.ok(!isUnreachable(e(0, 'AuthConfig'))); // the exec plugin failed: no try reached the server
  assert.ok(!isUnreachable(e(403, 'Forbidden')));
  assert.ok(!isUnreachable(e(500, 'InternalError')));
  assert.ok(!isUnreachable(new Error('ECONNREFUSED')));
});
