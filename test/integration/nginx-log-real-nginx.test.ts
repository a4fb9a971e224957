// Real Debian nginx in front of a real Node upstream (and a dead port): its access-log lines, in every format,
// must parse into the spans docs/ARCHITECTURE.md describes, placed where the client saw the request.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { looksLikeAccessLog, parseAccessLogLine, type AccessLogRecord } from '../../src/core/ingest/nginx-log/parse';
import { findRecordByRequestId, nginxSpansFromRecord } from '../../src/core/ingest/nginx-log/spans';
import { importNginxLog } from '../../src/core/ingest/nginx-log/import';
import type { Span } from '../../src/core/trace/model';
import { FORMATS, SCENARIOS, startRealNginx, waitForLines, type RealNginx } from '../fixtures/nginx-log/real-nginx';

interface Sent {
  name: string;
  id: string;
  status: number;
  startUnixNano: bigint;
  endUnixNano: bigint;
}

let nginx: RealNginx;
const sent: Sent[] = [];
const logs: Record<string, string[]> = {};

before(async () => {
  nginx = await startRealNginx();
  for (const s of SCENARIOS) {
    const id = s.headers?.['x-request-id'] ?? randomBytes(16).toString('hex');
    const r = await nginx.request(s.path, { 'x-request-id': id, ...s.headers });
    sent.push({ name: s.name, id, ...r });
  }
  for (const f of Object.keys(FORMATS)) {
    logs[f] = (await waitForLines(nginx, f, SCENARIOS.length + 1)).filter((l) => !l.includes('/__ready'));
  }
});
after(async () => {
  await nginx?.stop();
});

const rec = (line: string): AccessLogRecord => {
  const r = parseAccessLogLine(line);
  if ('error' in r) assert.fail(`${r.error}\n${line}`);
  return r.record;
};
const by = (spans: Span[], name: string) => spans.filter((s) => s.name === name);
const ms = (n: number) => BigInt(Math.round(n * 1e6));
const sc = (name: string) => sent.findIndex((s) => s.name === name);

describe('real nginx access logs', () => {
  test('the client got the statuses the scenarios expect', () => {
    assert.deepEqual(
      sent.map((s) => s.status),
      SCENARIOS.map((s) => s.status),
    );
  });

  test('every line of every format parses, one per request, in order', () => {
    for (const [f, lines] of Object.entries(logs)) {
      assert.equal(lines.length, SCENARIOS.length, f);
      lines.forEach((l, i) => {
        const r = rec(l);
        assert.equal(r.status, SCENARIOS[i].status, `${f} ${SCENARIOS[i].name}`);
        if (f !== 'combined') assert.equal(r.reqId, sent[i].id, `${f} ${SCENARIOS[i].name} req_id`);
      });
    }
  });

  const podByAddr = (addr: string) =>
    addr === `127.0.0.1:${nginx.livePort}`
      ? { pod: 'orders-5d8c7b9f4-x7k2p', namespace: 'shop', node: 'sandbox-node-2', service: 'orders' }
      : addr === `127.0.0.1:${nginx.deadPort}`
        ? { pod: 'orders-5d8c7b9f4-dead0', namespace: 'shop', node: 'sandbox-node-1', service: 'orders' }
        : undefined;

  test('with $msec the nginx span sits inside the client window (ms resolution)', () => {
    logs.timings.forEach((line, i) => {
      const { spans } = nginxSpansFromRecord(rec(line), { traceId: sent[i].id, podByAddr });
      const [n] = by(spans, 'nginx');
      // nginx's clock is cached per event-loop turn and $msec has 1 ms resolution: allow 2 ms either side.
      assert.ok(
        BigInt(n.startTimeUnixNano) >= sent[i].startUnixNano - ms(2),
        `${sent[i].name}: starts before the client sent`,
      );
      assert.ok(
        BigInt(n.endTimeUnixNano) <= sent[i].endUnixNano + ms(2),
        `${sent[i].name}: ends after the client got the answer`,
      );
      assert.equal(n.attributes['kubetrace.placement'], 'exact');
    });
  });

  test('slow upstream: the 60 ms shows up in upstream.header', () => {
    const i = sc('slow');
    const { spans } = nginxSpansFromRecord(rec(logs.timings[i]), { traceId: sent[i].id, podByAddr });
    const [h] = by(spans, 'upstream.header');
    const dur = BigInt(h.endTimeUnixNano) - BigInt(h.startTimeUnixNano);
    assert.ok(dur >= ms(55), `header wait ${dur} ns`);
    const [a] = by(spans, 'upstream.attempt');
    assert.equal(a.attributes['kubetrace.pod'], 'orders-5d8c7b9f4-x7k2p');
    assert.equal(a.attributes['server.port'], nginx.livePort);
  });

  test('retry: the dead peer then the live one, each mapped to its pod', () => {
    const i = sc('retry');
    const { spans, diagnostics } = nginxSpansFromRecord(rec(logs.timings[i]), { traceId: sent[i].id, podByAddr });
    const attempts = by(spans, 'upstream.attempt');
    assert.deepEqual(
      attempts.map((a) => [
        a.attributes['kubetrace.upstream.attempt'],
        a.attributes['server.port'],
        a.attributes['http.response.status_code'],
        a.status,
        a.attributes['kubetrace.pod'],
      ]),
      [
        [1, nginx.deadPort, 502, 'error', 'orders-5d8c7b9f4-dead0'],
        [2, nginx.livePort, 200, 'unset', 'orders-5d8c7b9f4-x7k2p'],
      ],
    );
    assert.ok(BigInt(attempts[0].endTimeUnixNano) <= BigInt(attempts[1].startTimeUnixNano));
    assert.equal(
      spans.filter((s) => s.parentSpanId === attempts[0].spanId).length,
      0,
      'refused: no connect/header/response',
    );
    assert.deepEqual(
      spans.filter((s) => s.parentSpanId === attempts[1].spanId).map((s) => s.name),
      ['upstream.connect', 'upstream.header', 'upstream.response'],
    );
    assert.equal(by(spans, 'nginx')[0].status, 'unset');
    assert.ok(diagnostics.some((d) => d.code === 'nginx-upstream-unreached' && d.spanId === attempts[0].spanId));
  });

  test('dead upstream only: 502, error spans', () => {
    const i = sc('dead');
    const { spans } = nginxSpansFromRecord(rec(logs.timings[i]), { traceId: sent[i].id, podByAddr });
    assert.deepEqual(
      spans.map((s) => [s.name, s.status]),
      [
        ['nginx', 'error'],
        ['upstream.attempt', 'error'],
      ],
    );
  });

  test('internal redirect (error_page → named location): two groups', () => {
    const i = sc('redirect');
    const r = rec(logs.timings[i]);
    assert.match(r.vars.upstream_addr, / : /);
    const { spans } = nginxSpansFromRecord(r, { traceId: sent[i].id });
    assert.deepEqual(
      by(spans, 'upstream.attempt').map((a) => a.attributes['kubetrace.upstream.redirect_group'] ?? 0),
      [0, 1],
    );
  });

  test('proxy_read_timeout: 504 with the header wait marked', () => {
    const i = sc('hang');
    const { spans, diagnostics } = nginxSpansFromRecord(rec(logs.timings[i]), { traceId: sent[i].id });
    const [h] = by(spans, 'upstream.header');
    assert.equal(h.attributes['kubetrace.upstream.header_received'], false);
    assert.ok(BigInt(h.endTimeUnixNano) - BigInt(h.startTimeUnixNano) >= ms(290));
    assert.ok(diagnostics.some((d) => d.code === 'nginx-upstream-timeout'));
  });

  test('return 503 without an upstream: no attempt, a diagnostic', () => {
    const i = sc('unavailable');
    const { spans, diagnostics } = nginxSpansFromRecord(rec(logs.timings[i]), { traceId: sent[i].id });
    assert.equal(spans.length, 1);
    assert.ok(diagnostics.some((d) => d.code === 'nginx-upstream-unreached'));
  });

  test('default format (no $msec): placed inside the client window, approximate', () => {
    logs.default.forEach((line, i) => {
      const w = { startUnixNano: sent[i].startUnixNano, endUnixNano: sent[i].endUnixNano };
      const { spans, diagnostics } = nginxSpansFromRecord(rec(line), { traceId: sent[i].id, clientWindow: w });
      for (const s of spans) {
        assert.ok(
          BigInt(s.startTimeUnixNano) >= w.startUnixNano && BigInt(s.endTimeUnixNano) <= w.endUnixNano,
          `${sent[i].name} ${s.name}`,
        );
      }
      assert.ok(diagnostics.some((d) => d.code === 'nginx-placement-approximate'));
    });
  });

  test('JSON format gives the same attempts and times as the text format', () => {
    logs.json.forEach((line, i) => {
      const j = nginxSpansFromRecord(rec(line), { traceId: 'x', newSpanId: counter() }).spans;
      const t = nginxSpansFromRecord(rec(logs.timings[i]), { traceId: 'x', newSpanId: counter() }).spans;
      const shape = (ss: Span[]) => ss.map((s) => [s.name, s.startTimeUnixNano, s.endTimeUnixNano, s.status]);
      assert.deepEqual(shape(j), shape(t), sent[i].name);
    });
  });

  test('the controller pod log (access + debug error log) yields each request by its id', async () => {
    // The FIFO is read asynchronously; give the last line a moment to arrive.
    for (let k = 0; k < 150 && !nginx.podLog.some((l) => l.includes(sent.at(-1)!.id) && looksLikeAccessLog(l)); k++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const podLog = nginx.podLog;
    assert.ok(
      podLog.some((l) => l.includes('[debug]')),
      'debug error log present',
    );
    for (const s of sent) {
      const f = findRecordByRequestId(podLog, s.id);
      assert.equal(f.record?.reqId, s.id, s.name);
      assert.equal(f.record?.status, s.status);
      assert.deepEqual(f.unparsed, []);
    }
  });

  test('importNginxLog turns the real log into one trace per request', async () => {
    async function* lines() {
      yield* logs.timings;
    }
    const traces = [];
    for await (const item of importNginxLog(lines())) {
      assert.ok('trace' in item);
      traces.push(item.trace);
    }
    assert.equal(traces.length, SCENARIOS.length);
    traces.forEach((t, i) => {
      if (/^[0-9a-f]{32}$/.test(sent[i].id)) assert.equal(t.traceId, sent[i].id);
      assert.equal(t.spans[0].attributes['nginx.req_id'], sent[i].id);
    });
  });
});

function counter() {
  let n = 0;
  return () => (++n).toString(16).padStart(16, '0');
}
