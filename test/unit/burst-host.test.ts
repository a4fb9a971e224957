// The host side of bursts that needs no VS Code: the input boxes' rules and the consent rule (BURST_LIMITS), the
// live line, the empty report the panel accepts, the agent's summary of a report, and redaction of what is kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BURST_LIMITS } from '../../src/core/burst/types';
import { compareBursts } from '../../src/core/burst/compare';
import { burstText } from '../../src/core/summary/burst';
import { parseHostMessage } from '../../src/protocol/validate';
import {
  checkConcurrency,
  checkCount,
  checkRate,
  emptyReport,
  liveText,
  needsConsent,
} from '../../src/vscode/burst-input';
import { History, redactReport } from '../../src/vscode/history';
import { burstReport, hostileReport } from '../webview/burst-fixtures';

test('the input boxes accept what BURST_LIMITS allows and refuse the rest', () => {
  for (const ok of ['1', '100', ' 50 ', String(BURST_LIMITS.maxRequests)]) assert.equal(checkCount(ok), undefined, ok);
  for (const bad of ['0', '-3', '1.5', 'abc', '', String(BURST_LIMITS.maxRequests + 1), '1e9'])
    assert.match(checkCount(bad) ?? '', /whole number from 1 to 10,000/, bad);
  assert.equal(checkConcurrency('4'), undefined);
  for (const bad of ['0', '65', '2.5', 'x']) assert.ok(checkConcurrency(bad), bad);
  for (const ok of ['', '  ', '0.5', '200']) assert.equal(checkRate(ok), undefined, ok);
  for (const bad of ['0', '-1', 'fast', '20000', 'Infinity']) assert.ok(checkRate(bad), bad);
});

test('a burst needs consent outside the sandbox above confirmAbove requests, or for anything but a GET', () => {
  assert.equal(BURST_LIMITS.confirmAbove, 20);
  assert.equal(needsConsent(true, 10_000, 'POST', 'x'), false, 'the sandbox never asks');
  assert.equal(needsConsent(false, 20, 'GET'), false);
  assert.equal(needsConsent(false, 21, 'GET'), true);
  assert.equal(needsConsent(false, 1, 'POST'), true);
  assert.equal(needsConsent(false, 1, 'GET', '{"a":1}'), true);
});

test('the live line and the empty report', () => {
  assert.equal(
    liveText({ sent: 40, answered: 38, traced: 30, errors: 1, p50: 4.25, p99: 180.4 }),
    '40 sent · 38 answered · 30 traced · 1 errors · p50 4.3 ms · p99 180 ms',
  );
  const m = { type: 'burst', id: 'live1', title: 't', source: 'burst', report: emptyReport('shop/orders') };
  assert.deepEqual(parseHostMessage(m), m, 'the panel accepts the empty report');
});

test("the agent's summary: counts, tail, layers, failures and the slowest trace; small and clean", () => {
  const r = burstReport();
  const text = burstText(r);
  assert.match(text, /shop\/orders: 400 requests/);
  assert.ok(text.includes(`tail: ${r.tail.sentence}`), 'the tail sentence');
  assert.match(text, /downstream/);
  assert.match(text, /failed: 4 × 502 in ingress \(upstream prematurely closed connection\)/);
  assert.match(text, /f{32}/, 'the slowest trace id');
  assert.ok(text.split('\n').length <= 30, `${text.split('\n').length} lines`);
  const hostile = burstText(hostileReport());
  assert.doesNotMatch(hostile, /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/, 'no control characters reach the agent');
});

test('what History keeps of a request set is redacted, and only the latest few keep their RequestSet', () => {
  const r = burstReport(10);
  r.probes[0].path = '/orders?access_token=s3cr3t&x=1';
  r.failures[0].example = 'GET /a?token=abc failed';
  const kept = redactReport(r);
  assert.doesNotMatch(JSON.stringify(kept), /s3cr3t|token=abc/);
  const h = new History();
  const set = { report: () => r, trace: async () => undefined };
  const items = [1, 2, 3, 4].map((i) =>
    h.addBurst({ title: `b${i}`, source: 'burst', set, report: r, time: `2025-11-27T08:0${i}:00.000Z` }),
  );
  assert.deepEqual(
    items.map((i) => !!i.set),
    [false, true, true, true],
  );
  assert.deepEqual(
    h.entries().map((e) => e.target),
    ['b4', 'b3', 'b2', 'b1'],
  );
  assert.deepEqual(h.entries()[0].burst, {
    requests: 10,
    errors: r.errors,
    p50Ms: r.tail.medianMs,
    p99Ms: r.tail.thresholdMs,
  });
});

test("compareBursts' rows pass the panel's check as a burstCompare message", () => {
  const a = burstReport();
  const b = burstReport(300);
  b.layers = b.layers.slice(1);
  const r = compareBursts(a, b);
  assert.equal(r.equal, false);
  const entry = { id: 'b1', time: '2025-11-27T08:00:00.000Z', target: 't', traceId: '' };
  const m = { type: 'burstCompare', left: entry, right: { ...entry, id: 'b2' }, ...r };
  assert.deepEqual(parseHostMessage(structuredClone(m)), m);
});
