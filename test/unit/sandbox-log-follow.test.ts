// The sandbox's followed pods/log (src/sandbox/api/log.ts) with a client that stops reading, as a burst does while
// its requests go out (core/burst/log-stream.ts hold): like a kubelet, the server then stops writing (its buffered
// bytes stay small however many lines come), and once the client reads again every line arrives, once, in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleLog } from '../../src/sandbox/api/log';
import { LogStore } from '../../src/sandbox/logs';
import type { KubeObject } from '../../src/sandbox/store';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop' },
  spec: { containers: [{ name: 'web' }] },
} as unknown as KubeObject;

test('a followed log whose client stops reading waits unwritten, then gives every line in order', async () => {
  const logs = new LogStore();
  const key = { namespace: 'shop', pod: 'web-1', container: 'web' };
  let t = 1_796_000_000_000_000_000n;
  const line = (i: number) => `line ${i} ${'x'.repeat(100)}`;
  let served: ServerResponse | undefined;
  const server = createServer((req, res) => {
    served = res;
    handleLog(req, res, logs, pod, new URL(req.url ?? '/', 'http://x').searchParams);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  logs.append(key, { timeUnixNano: t++, stream: 'stdout', line: line(0) });
  const res = await new Promise<import('node:http').IncomingMessage>((resolve) =>
    get(`http://127.0.0.1:${port}/log?follow=true&timestamps=true`, resolve),
  );
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (d: string) => (text += d));
  while (!text.includes('line 0 ')) await new Promise((r) => setTimeout(r, 5));
  res.pause();
  // 30 MB of lines while the client reads nothing: far more than the sockets' buffers hold.
  const total = 250_000;
  for (let i = 1; i < total; i++) {
    logs.append(key, { timeUnixNano: t++, stream: 'stdout', line: line(i) });
    if (i % 10_000 === 0) await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 100));
  const buffered = served!.writableLength;
  assert.ok(buffered < 2 << 20, `the server kept only what one write left over, not every line: ${buffered} bytes`);
  res.resume();
  const want = `line ${total - 1} `;
  const deadline = Date.now() + 20_000;
  while (!text.includes(want) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  res.destroy();
  server.close();
  const got = text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(l.indexOf(' ') + 1));
  assert.equal(got.length, total);
  for (let i = 0; i < total; i += 997) assert.equal(got[i], line(i));
  assert.deepEqual(
    got.map((l) => Number(l.split(' ')[1])),
    Array.from({ length: total }, (_, i) => i),
  );
});
