// Inputs built to exhaust memory, time or the stack: each is refused or converted with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeOtlpProtobuf, encodeOtlpProtobuf } from '../../src/core/ingest/otlp/protobuf';
import { OtlpDecodeError } from '../../src/core/ingest/otlp/types';
import { extractTarGz, readTar } from '../../src/core/sourcemap/nginx/tar';
import { tagValue, toTag } from '../../src/core/ingest/jaeger/tags';
import { MAX_NESTING, limitNesting, nestsDeeper } from '../../src/core/io/values';

test('OTLP protobuf: repeated 0a 00 (an empty ResourceSpans every 2 bytes) is refused, not decoded into millions', () => {
  const attack = Buffer.alloc(8 << 20);
  for (let i = 0; i < attack.length; i += 2) attack[i] = 0x0a;
  assert.throws(
    () => decodeOtlpProtobuf(attack),
    (e: Error) =>
      e instanceof OtlpDecodeError &&
      /more embedded messages than 2101248 \(4096 \+ one per 4 bytes, empty ones count 8\)/.test(e.message),
  );
  // Small inputs keep their fixed allowance: a few empty entries are still a valid (empty) request.
  assert.equal(decodeOtlpProtobuf(Buffer.from([0x0a, 0x00, 0x0a, 0x00])).resourceSpans.length, 2);
});

test('OTLP protobuf: a dense real export (one span, 20,000 one-letter bool attributes) is within the budget', () => {
  const attributes = Array.from({ length: 20_000 }, (_, i) => ({
    key: String.fromCharCode(97 + (i % 26)),
    value: { boolValue: true },
  }));
  const bytes = encodeOtlpProtobuf([
    {
      scopeSpans: [
        {
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              name: 'x',
              kind: 2,
              startTimeUnixNano: '1',
              endTimeUnixNano: '2',
              attributes,
            },
          ],
        },
      ],
    },
  ]);
  const d = decodeOtlpProtobuf(bytes);
  assert.equal(d.resourceSpans[0].scopeSpans[0].spans[0].attributes?.length, 20_000);
});

/** A ustar header for one regular file. */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}
/** A gzipped tar of one file of `size` zero bytes, in small chunks as a download stream gives them. */
function bigTarGz(size: number): Readable {
  const gz = gzipSync(
    Buffer.concat([
      tarHeader('nginx-9.9.9/src/big.c', size),
      Buffer.alloc(Math.ceil(size / 512) * 512),
      Buffer.alloc(1024),
    ]),
  );
  const chunks: Buffer[] = [];
  for (let i = 0; i < gz.length; i += 4096) chunks.push(gz.subarray(i, i + 4096));
  return Readable.from(chunks);
}

test('tar: a 64 MB entry (64 KB gzipped) is refused by the entry cap, with the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-tar-'));
  try {
    await assert.rejects(
      extractTarGz(bigTarGz(64 << 20), dir, { strip: 1 }),
      /an entry of 67108864 bytes is over the 16777216-byte limit/,
    );
    await assert.rejects(
      extractTarGz(bigTarGz(1 << 20), dir, { strip: 1, limits: { maxEntryBytes: 4 << 20, maxTotalBytes: 1 << 19 } }),
      /holds more than 524288 bytes/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tar: within the caps, a big entry is read from the chunk list byte for byte', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-tar-'));
  try {
    const r = await extractTarGz(bigTarGz(12 << 20), dir, { strip: 1 });
    assert.equal(r.files, 1);
    const data = readFileSync(join(dir, 'src', 'big.c'));
    assert.equal(data.length, 12 << 20);
    assert.ok(data.every((b) => b === 0));
    // Entries split across odd chunk boundaries come out whole.
    const body = Buffer.from('hello, tar\n'.repeat(100));
    const tar = Buffer.concat([
      tarHeader('a/b.txt', body.length),
      body,
      Buffer.alloc(512 - (body.length % 512)),
      Buffer.alloc(1024),
    ]);
    const odd: Buffer[] = [];
    for (let i = 0; i < tar.length; i += 7) odd.push(tar.subarray(i, i + 7));
    const entries = [];
    for await (const e of readTar(Readable.from(odd))) entries.push(e);
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0].data, body);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function deep(n: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
  return v;
}

test('Jaeger tags and Trace JSON attributes nested 200,000 deep become a note, not a stack overflow', () => {
  const v = deep(200_000);
  assert.equal(
    tagValue({ key: 'x', type: 'string', value: v }),
    `[a value nested more than ${MAX_NESTING} levels deep; not converted]`,
  );
  assert.match(String(toTag('x', v).value), /nested more than 64 levels/);
  assert.equal(tagValue({ key: 'x', value: deep(10) }), JSON.stringify(deep(10)));
  const attrs: Record<string, unknown> = { ok: [1, 2], fine: deep(MAX_NESTING - 1), deep: v };
  assert.deepEqual(limitNesting(attrs), ['deep']);
  assert.equal(nestsDeeper(attrs.fine), false);
  assert.match(String(attrs.deep), /not converted/);
  assert.doesNotThrow(() => JSON.stringify(attrs));
});
