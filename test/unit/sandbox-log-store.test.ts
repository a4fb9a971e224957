// The sandbox's container logs stay bounded without costing each append a shift of the whole list: with nginx's
// debug log on, a burst of a few thousand requests writes more lines than the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogStore, MAX_LINES_PER_CONTAINER } from '../../src/sandbox/logs';
import { cpuMs } from '../cpu';

test('past the cap the oldest lines go, the newest stay in time order, and appending stays cheap', () => {
  const store = new LogStore();
  const key = { namespace: 'ingress-nginx', pod: 'controller', container: 'controller' };
  const n = MAX_LINES_PER_CONTAINER + 150_000;
  const t0 = cpuMs();
  for (let i = 0; i < n; i++) store.append(key, { timeUnixNano: BigInt(i), stream: 'stderr', line: `line ${i}` });
  const spent = cpuMs() - t0;
  const lines = store.read(key);
  assert.ok(lines.length <= MAX_LINES_PER_CONTAINER, `${lines.length} lines kept`);
  assert.ok(lines.length >= MAX_LINES_PER_CONTAINER * 0.9);
  assert.equal(lines[lines.length - 1].line, `line ${n - 1}`);
  for (let i = 1; i < lines.length; i++) assert.ok(lines[i - 1].timeUnixNano < lines[i].timeUnixNano);
  // One shift of the whole list per append past the cap costs tens of seconds of CPU here; this takes well under 1 s.
  assert.ok(spent < 8000, `appending ${n} lines took ${spent.toFixed(0)} ms of CPU`);
});
