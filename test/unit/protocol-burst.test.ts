// The request-set messages: a good burst report passes as it is (unknown fields dropped), and anything malformed in
// either direction is refused without throwing, as an access log or a compromised webview could send it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { BurstReport } from '../../src/protocol/messages';
import {
  checkHostMessage,
  checkWebviewMessage,
  parseHostMessage,
  parseWebviewMessage,
} from '../../src/protocol/validate';
import { burstMessage, burstReport, hostileReport } from '../webview/burst-fixtures';

const withReport = (mutate: (r: BurstReport & Record<string, unknown>) => void) => {
  const m = structuredClone(burstMessage());
  mutate(m.report as BurstReport & Record<string, unknown>);
  return m;
};

describe('burst (host -> webview)', () => {
  test('a good report, a hostile one and a live one pass as they are', () => {
    for (const m of [
      burstMessage(),
      burstMessage({ report: hostileReport(), source: 'log' }),
      burstMessage({ report: burstReport(0), live: { sent: 3, answered: 2, traced: 1, errors: 0, p50: 4.5 } }),
      burstMessage({ filter: { status: '5xx', path: '/a', upstream: 'p', fromUnixNano: '1', toUnixNano: '2' } }),
    ])
      assert.deepEqual(parseHostMessage(structuredClone(m)), m);
  });

  test('fields the model does not name are dropped, not carried', () => {
    const m = withReport((r) => {
      r.html = '<b>x</b>';
      (r.probes[0] as unknown as Record<string, unknown>).onclick = 'x';
      (r.tail as unknown as Record<string, unknown>).extra = 1;
    });
    const out = parseHostMessage(m);
    assert.ok(out && out.type === 'burst');
    assert.equal('html' in out.report, false);
    assert.equal('onclick' in out.report.probes[0], false);
    assert.equal('extra' in out.report.tail, false);
  });

  const bad: [string, unknown][] = [
    ['no id', { ...burstMessage(), id: '' }],
    ['source', { ...burstMessage(), source: 'file' }],
    ['extra envelope field', { ...burstMessage(), html: '<b>' }],
    ['report missing', { type: 'burst', id: 'b', title: 't', source: 'burst' }],
    ['requests negative', withReport((r) => (r.requests = -1))],
    ['requests fractional', withReport((r) => (r.errors = 1.5))],
    ['rps NaN', withReport((r) => (r.rps = NaN))],
    ['duration Infinity', withReport((r) => (r.durationMs = Infinity))],
    ['duration as string', withReport((r) => ((r as Record<string, unknown>).durationMs = '12'))],
    ['layer unknown', withReport((r) => ((r.layers[0] as unknown as Record<string, unknown>).layer = 'db'))],
    ['share above 1', withReport((r) => (r.layers[0].share = 1.5))],
    ['span name too long', withReport((r) => (r.spans[0].name = 'x'.repeat(1025)))],
    [
      'span name not a string',
      withReport((r) => ((r.spans[0] as unknown as Record<string, unknown>).name = { toString: 1 })),
    ],
    ['pod too long', withReport((r) => (r.pods[0].pod = 'p'.repeat(2000)))],
    ['path too long', withReport((r) => (r.probes[0].path = '/'.repeat(5000)))],
    ['trace id empty', withReport((r) => (r.probes[0].traceId = ''))],
    ['start not decimal', withReport((r) => (r.probes[0].startUnixNano = '-1'))],
    ['start as number', withReport((r) => ((r.probes[0] as unknown as Record<string, unknown>).startUnixNano = 1))],
    ['complete missing', withReport((r) => delete (r.probes[0] as unknown as Record<string, unknown>).complete)],
    ['status 1000', withReport((r) => (r.probes[0].status = 1000))],
    ['histogram upper below lower', withReport((r) => (r.histogram[0] = { lowerMs: 5, upperMs: 1, count: 1 }))],
    ['probes not an array', withReport((r) => ((r as Record<string, unknown>).probes = { length: 1 }))],
    ['too many spans', withReport((r) => (r.spans = Array(10_001).fill(r.spans[0])))],
    ['tail missing', withReport((r) => delete (r as Record<string, unknown>).tail)],
    ['tail sentence not a string', withReport((r) => ((r.tail as unknown as Record<string, unknown>).sentence = 5))],
    [
      'diagnostic severity',
      withReport((r) => ((r.diagnostics[0] as unknown as Record<string, unknown>).severity = 'fatal')),
    ],
    ['live count negative', { ...burstMessage(), live: { sent: -1, answered: 0, traced: 0, errors: 0 } }],
    ['live extra field', { ...burstMessage(), live: { sent: 1, answered: 0, traced: 0, errors: 0, x: 1 } }],
    ['filter status class', { ...burstMessage(), filter: { status: '6xx' } }],
  ];
  for (const [name, m] of bad)
    test(`refuses: ${name}`, () => {
      const r = checkHostMessage(m);
      assert.equal(r.ok, false);
    });

  test('burstCompare: good rows pass; a bad severity or side is refused', () => {
    const entry = { id: 'b1', time: '2025-11-27T08:00:00.000Z', target: 't', traceId: '' };
    const b = { ...entry, burst: { requests: 100, errors: 1, p50Ms: 12, p99Ms: 300 } };
    const good = {
      type: 'burstCompare',
      left: b,
      right: { ...b, id: 'b2' },
      equal: false,
      differences: [
        { what: 'p99', a: 300, b: 450.5, severity: 'warning' },
        { what: 'inventory SELECT stock p50', b: 3, severity: 'warning' },
      ],
    };
    assert.deepEqual(parseHostMessage(structuredClone(good)), good);
    const bads = [
      { ...good, differences: [{ what: 'p99', a: 1, b: 2, severity: 'fatal' }] },
      { ...good, differences: [{ what: 'p99', a: { x: 1 }, b: 2, severity: 'info' }] },
      { ...good, differences: [{ what: 'p99', a: 1, b: 2, severity: 'info', html: '' }] },
      { ...good, equal: 'no' },
      { ...good, left: { ...b, burst: { requests: -1, errors: 0, p50Ms: 0, p99Ms: 0 } } },
    ];
    for (const x of bads) assert.equal(checkHostMessage(x).ok, false, JSON.stringify(x).slice(0, 200));
  });

  test('random mutations of a report never throw, and whatever passes is a report', () => {
    const base = burstReport(20);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...Object.keys(base)), fc.anything()), { maxLength: 4 }),
        (edits) => {
          const report: Record<string, unknown> = structuredClone(base) as unknown as Record<string, unknown>;
          for (const [k, v] of edits) report[k] = v;
          const r = checkHostMessage({ type: 'burst', id: 'b', title: 't', source: 'burst', report });
          if (r.ok) assert.equal(r.message.type, 'burst');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('openRequest and filterRequests (webview -> host)', () => {
  test('good messages pass as they are', () => {
    for (const m of [
      { type: 'openRequest', traceId: 'f'.repeat(32) },
      { type: 'filterRequests', filter: {} },
      { type: 'filterRequests', filter: { status: 502 } },
      { type: 'filterRequests', filter: { status: 'error', path: '/orders', upstream: 'orders-1', fromUnixNano: '1' } },
    ])
      assert.deepEqual(parseWebviewMessage(structuredClone(m)), m);
  });
  const bad: [string, unknown][] = [
    ['empty trace id', { type: 'openRequest', traceId: '' }],
    ['trace id too long', { type: 'openRequest', traceId: 'a'.repeat(257) }],
    ['trace id as number', { type: 'openRequest', traceId: 7 }],
    ['extra field on openRequest', { type: 'openRequest', traceId: 'a', command: 'x' }],
    ['no filter', { type: 'filterRequests' }],
    ['filter extra key', { type: 'filterRequests', filter: { where: '1=1' } }],
    ['status below 100', { type: 'filterRequests', filter: { status: 99 } }],
    ['status fractional', { type: 'filterRequests', filter: { status: 200.5 } }],
    ['status class', { type: 'filterRequests', filter: { status: 'all' } }],
    ['path too long', { type: 'filterRequests', filter: { path: 'x'.repeat(5000) } }],
    ['from negative', { type: 'filterRequests', filter: { fromUnixNano: '-5' } }],
    ['to as number', { type: 'filterRequests', filter: { toUnixNano: 5 } }],
    ['burst from the webview', burstMessage()],
  ];
  for (const [name, m] of bad)
    test(`refuses: ${name}`, () => {
      const r = checkWebviewMessage(m);
      assert.equal(r.ok, false);
    });
});
