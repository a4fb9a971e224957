// Format detection and whole-file import: every fixture detected by its structure, imported with no span lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFormat } from '../../src/core/io/detect';
import { openImport, resolveFormat, type ImportFormat, type ImportItem } from '../../src/core/io/import';

import { normalizeOtlpJson } from '../../src/core/ingest/otlp/normalize';
import { encodeOtlpProtobuf } from '../../src/core/ingest/otlp/protobuf';
import type { Trace } from '../../src/core/trace/model';

const FIX = join(__dirname, '..', 'fixtures', 'traces');
const dir = mkdtempSync(join(tmpdir(), 'kubetrace-import-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function all(
  path: string,
  format?: ImportFormat,
): Promise<{ format: string; traces: Trace[]; other: ImportItem[] }> {
  const opened = await openImport(path, { format });
  const traces: Trace[] = [];
  const other: ImportItem[] = [];
  for await (const it of opened.items)
    if ('trace' in it) traces.push(it.trace);
    else other.push(it);
  return { format: opened.format, traces, other };
}

test('each fixture is detected by its structure', () => {
  const want: Record<string, string> = {
    'jaeger-ui.json': 'jaeger',
    'jaeger-quirks.json': 'jaeger',
    'jaeger-v3.json': 'jaeger-v3',
    'otlp.json': 'otlp',
    'tempo-batches.json': 'tempo',
    'tempo-resource-spans.json': 'tempo',
    'zipkin.json': 'zipkin',
    'access.log': 'nginx-log',
  };
  for (const [f, fmt] of Object.entries(want)) assert.equal(detectFormat(readFileSync(join(FIX, f))).format, fmt, f);
  const d = (s: string) => detectFormat(Buffer.from(s)).format;
  assert.equal(d('[{"traceID":"a","spans":[]}]'), 'jaeger');
  assert.equal(d('[[{"traceId":"a","id":"b"}]]'), 'zipkin');
  assert.equal(d('{"traceId":"a","spans":[],"criticalPath":[],"diagnostics":[]}'), 'kubetrace');
  assert.equal(d('[{"traceId":"a","spans":[],"criticalPath":[]}]'), 'kubetrace');
  assert.equal(d('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"S/kvNXezTaajzpKdDg5HNg=="}]}]}]}'), 'tempo');
  assert.equal(d('{"resource_spans":[]}'), 'otlp');
  assert.equal(
    d('{"time":"2026-11-27T10:00:00Z","remote_addr":"1.2.3.4","request":"GET / HTTP/1.1","status":200}\n'),
    'nginx-log',
  );
  assert.equal(d('{"foo":1}'), undefined);
  assert.match(detectFormat(Buffer.from('hello world')).why, /no line among the first 1 is JSON or an access-log line/);
  assert.equal(detectFormat(Buffer.alloc(0)).why, 'the file is empty');
  assert.equal(resolveFormat(readFileSync(join(FIX, 'jaeger-v3.json')), 'jaeger').format, 'jaeger-v3');
  assert.equal(resolveFormat(readFileSync(join(FIX, 'otlp.json')), 'tempo').format, 'tempo');
});

test('every trace fixture imports faithfully: same trace id, every span', async () => {
  for (const [f, n] of [
    ['jaeger-ui.json', 3],
    ['jaeger-v3.json', 3],
    ['otlp.json', 3],
    ['tempo-batches.json', 3],
    ['tempo-resource-spans.json', 3],
    ['zipkin.json', 3],
    ['jaeger-quirks.json', 4],
  ] as const) {
    const r = await all(join(FIX, f));
    assert.equal(r.traces.length, 1, f);
    assert.equal(r.traces[0].spans.length, n, f);
    assert.ok(['4bf92f3577b34da6a3ce929d0e0e4736', 'af5e9c1d2b3a4f60'].includes(r.traces[0].traceId), f);
    const t = r.traces[0];
    assert.ok(
      t.criticalPath.length >= 1 && t.criticalPath.every((c) => t.spans[c.index]?.spanId === c.spanId),
      `${f}: critical path of the trace's own spans`,
    );
  }
});

test('an access log gives one trace per line; a line that is no access line is counted, not reported', async () => {
  const r = await all(join(FIX, 'access.log'));
  assert.equal(r.format, 'nginx-log');
  assert.deepEqual(
    r.traces.map((t) => t.traceId),
    ['4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c'],
  );
  assert.equal(r.other.length, 1);
  const last = r.other[0];
  assert.ok('counts' in last);
  assert.equal(last.counts.requests, 2);
  assert.equal(last.counts.other, 1);
  assert.equal(last.counts.unreadable, 0);
});

test('OTLP JSON lines (the collector file exporter), protobuf files, and traces spread over the file', async () => {
  const one = readFileSync(join(FIX, 'otlp.json'), 'utf8');
  const obj = JSON.parse(one);
  const lines = join(dir, 'lines.jsonl');
  writeFileSync(
    lines,
    `${JSON.stringify({ resourceSpans: [obj.resourceSpans[0]] })}\n${JSON.stringify({ resourceSpans: [obj.resourceSpans[1]] })}\n`,
  );
  const r = await all(lines);
  assert.equal(r.traces.length, 1, 'spans of one trace in two lines join');
  assert.equal(r.traces[0].spans.length, 3);
  const pb = join(dir, 'trace.pb');
  writeFileSync(pb, encodeOtlpProtobuf(normalizeOtlpJson(obj).resourceSpans));
  const p = await all(pb, 'otlp');
  assert.equal(p.format, 'otlp-protobuf');
  assert.equal(p.traces[0].spans.length, 3);
  const auto = await all(pb);
  assert.equal(auto.traces[0].spans.length, 3);
});

test('resource after spans (key order is free in JSON) still gives every span its service', async () => {
  const f = join(dir, 'late-resource.json');
  const spans = Array.from({ length: 1200 }, (_, i) => ({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: `s${i}`,
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
  }));
  writeFileSync(
    f,
    `{"resourceSpans":[{"scopeSpans":[{"spans":${JSON.stringify(spans)},"scope":{"name":"late"}}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"late-svc"}}]}}]}`,
  );
  const r = await all(f);
  assert.equal(r.traces[0].spans.length, 1200);
  assert.ok(r.traces[0].spans.every((s) => s.service === 'late-svc' && s.attributes['otel.scope.name'] === 'late'));
});

test('truncated and unreadable files: diagnostics (or a clear error), never a throw from the reader', async () => {
  const text = readFileSync(join(FIX, 'otlp.json'), 'utf8');
  const cut = join(dir, 'cut.json');
  writeFileSync(cut, text.slice(0, text.indexOf('"b7ad6b7169203331"')));
  const r = await all(cut);
  assert.equal(r.traces[0].spans.length, 2, 'the spans that arrived whole are kept');
  assert.ok(
    r.other.some(
      (o) => 'diagnostic' in o && o.diagnostic.severity === 'error' && /truncated/.test(o.diagnostic.message),
    ),
  );
  await assert.rejects(openImport(join(dir, 'nope.json')), /no such file/);
  await assert.rejects(openImport(dir), /it is a folder/);
  const junk = join(dir, 'junk.txt');
  writeFileSync(junk, 'just some words\n');
  await assert.rejects(
    openImport(junk),
    (e: Error & { hint?: string }) => /cannot tell the format/.test(e.message) && /--format/.test(e.hint ?? ''),
  );
});

test('Kubetrace Trace JSON reads back as it was written', async () => {
  const t = (await all(join(FIX, 'jaeger-ui.json'))).traces[0];
  const f = join(dir, 'native.json');
  writeFileSync(f, JSON.stringify([t, t]));
  const r = await all(f);
  assert.equal(r.format, 'kubetrace');
  assert.deepEqual(r.traces, [t, t]);
});
