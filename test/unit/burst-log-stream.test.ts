// A followed pod log held while a burst sends (core/burst/log-stream.ts hold/release): the stream is not read on
// (what came before is only kept as bytes), and once released it gives the same lines, in the same order, as a
// stream read as it came, with UTF-8 characters split across chunks put back together.
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { PodLogStream } from '../../src/core/burst/log-stream';
import type { KubeRequester } from '../../src/core/kube/request';
import type { Pod } from '../../src/core/kube/objects';

const pod = { metadata: { name: 'ingress-nginx-controller-x', namespace: 'ingress-nginx' } } as Pod;
const tick = () => new Promise((r) => setImmediate(r));

/** A stream whose API server answers one followed response, fed by `write`. */
function followed() {
  const res = new PassThrough() as PassThrough & { statusCode: number };
  res.statusCode = 200;
  const api = { stream: async () => res as unknown as IncomingMessage } as unknown as KubeRequester;
  const stream = new PodLogStream({ api, pod, since: new Date('2026-12-06T02:05:03Z') });
  return { stream, res, write: (b: Buffer) => res.write(b) };
}

const texts = ['GET /orders 200 "café"', '2026/12/06 02:05:04 [debug] 7#7: *1 ✓ http finalize', 'éèê ñ 漢字 🙂 end'];
const body = Buffer.from(texts.map((t, i) => `2026-12-06T02:05:04.${i + 1}00Z ${t}\n`).join(''));

/** The body cut into chunks of `n` bytes: most cuts fall inside a line, many inside a character. */
const chunks = (n: number) =>
  Array.from({ length: Math.ceil(body.length / n) }, (_, i) => body.subarray(i * n, i * n + n));

test('a held stream is not read on, and once released it gives its lines, whatever the chunking', async () => {
  for (const n of [1, 2, 3, 5, 7, 64]) {
    const { stream, res, write } = followed();
    stream.hold();
    await stream.opened;
    for (const c of chunks(n)) write(c);
    await tick();
    assert.deepEqual(stream.take(), [], `${n}-byte chunks: nothing decoded while held`);
    const kept = stream.heldBytes;
    assert.ok(kept > 0 && kept <= body.length, `${n}-byte chunks: ${kept} bytes kept`);
    // What comes while held is not read at all: it waits in the stream, whose sender then waits too.
    const later = Buffer.from('2026-12-06T02:05:04.900Z held back\n');
    write(later);
    await tick();
    assert.equal(stream.heldBytes, kept, `${n}-byte chunks: nothing read while held`);
    assert.equal(res.readableLength, body.length - kept + later.length);
    stream.release();
    assert.equal(stream.heldBytes, 0);
    await tick();
    assert.deepEqual(stream.take(), [...texts, 'held back'], `${n}-byte chunks`);
    // After the release, what comes is read as it comes, a character split across chunks too.
    const more = Buffer.from('2026-12-06T02:05:05Z après 🙂\n');
    write(more.subarray(0, 24));
    write(more.subarray(24));
    await tick();
    assert.deepEqual(stream.take(), ['après 🙂']);
    stream.close();
  }
});

test('a stream never held reads the same lines', async () => {
  const { stream, write } = followed();
  await stream.opened;
  for (const c of chunks(3)) write(c);
  await tick();
  assert.equal(stream.heldBytes, 0);
  assert.deepEqual(stream.take(), texts);
  stream.close();
});

test('any lines, cut into any chunks and taken at any moments, come out as they went in', async () => {
  // Lines with the API server's timestamp (with a fraction of any length, or none), any text (UTF-8 of any width),
  // any length; the stream cut anywhere, even inside a character, and read now and then: each line once, in order.
  const stamp = fc
    .tuple(fc.integer({ min: 0, max: 59 }), fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }))
    .map(([s, f]) => `2026-12-06T02:05:${String(s).padStart(2, '0')}${f === undefined ? '' : `.${f}`}Z`);
  const text = fc.string({ unit: 'binary', maxLength: 300 }).map((t) => t.replace(/[\n\r]/g, ' ').trim() || 'x');
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(stamp, text), { minLength: 1, maxLength: 60 }),
      fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
      async (lines, cuts, takes) => {
        const all = Buffer.from(lines.map(([s, t]) => `${s} ${t}\n`).join(''));
        const { stream, write } = followed();
        await stream.opened;
        const got: string[] = [];
        let k = 0;
        for (let at = 0; at < all.length; k++) {
          const n = cuts[k % cuts.length];
          write(all.subarray(at, at + n));
          at += n;
          if (takes[k % takes.length]) {
            await tick();
            got.push(...stream.take());
          }
        }
        await tick();
        got.push(...stream.take());
        stream.close();
        assert.deepEqual(
          got,
          lines.map(([, t]) => t),
        );
      },
    ),
    { numRuns: 200 },
  );
});
