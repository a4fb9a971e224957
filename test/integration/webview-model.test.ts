// The panel's pure parts under plain Node: the trace view (layer groups, tree order, depth), the rows
// the waterfall shows (collapse, layer toggles, search), phase grouping, and number formatting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Trace } from '../../src/protocol/messages';
import { formatDiff, formatDuration, formatTick, niceStep, ticks } from '../../webview/format';
import { buildRows, buildTraceView, type Row } from '../../webview/model';
import { groupSteps } from '../../webview/steps';
import { IDS, NGINX_STEPS, probeTrace, span, spanId } from '../webview/fixtures';

const none = {
  collapsed: new Set<string>(),
  collapsedLayers: new Set<never>(),
  hiddenLayers: new Set<never>(),
  query: '',
};
const names = (view: ReturnType<typeof buildTraceView>, rows: Row[]) =>
  rows.map((r) =>
    r.kind === 'layer'
      ? `[${r.group.layer}]`
      : `${'  '.repeat(r.depth)}${view.spans[r.i].span.name}${r.context ? ' (context)' : ''}`,
  );

test('spans are grouped by layer in tree order, children by start time', () => {
  const view = buildTraceView(probeTrace());
  assert.deepEqual(names(view, buildRows(view, none).rows), [
    '[client]',
    'probe',
    '  dns',
    '  connect',
    '  request',
    '  ttfb',
    '  download',
    '[ingress]',
    'nginx',
    '  upstream.attempt',
    '  upstream.attempt',
    '    upstream.connect',
    '    upstream.header',
    '    upstream.response',
    '[app]',
    'GET /api/orders',
    '  db.query orders',
    '  GET inventory',
    '[downstream]',
    'GET /api/stock',
    '  SELECT stock',
  ]);
  assert.ok(Math.abs(view.totalMs - 48.2) < 1e-9);
  const nginx = view.spans[view.byId.get(IDS.nginx)!];
  assert.ok(Math.abs(nginx.startMs - 1.5) < 1e-9 && nginx.critical && !nginx.error);
  assert.ok(view.spans[view.byId.get(IDS.attempt1)!].error);
  assert.deepEqual(
    view.groups.map((g) => [g.layer, g.errors]),
    [
      ['client', 0],
      ['ingress', 1],
      ['app', 0],
      ['downstream', 0],
    ],
  );
});

test('collapse hides a subtree; collapsed and hidden layers; search keeps ancestors as context', () => {
  const view = buildTraceView(probeTrace());
  let r = buildRows(view, { ...none, collapsed: new Set([IDS.attempt2, IDS.probe]) });
  assert.deepEqual(names(view, r.rows).slice(0, 6), [
    '[client]',
    'probe',
    '[ingress]',
    'nginx',
    '  upstream.attempt',
    '  upstream.attempt',
  ]);
  assert.equal(r.rows.length, 21 - 5 - 3);
  r = buildRows(view, {
    ...none,
    collapsedLayers: new Set(['ingress'] as const),
    hiddenLayers: new Set(['client', 'downstream'] as const),
  });
  assert.deepEqual(names(view, r.rows), [
    '[ingress]',
    '[app]',
    'GET /api/orders',
    '  db.query orders',
    '  GET inventory',
  ]);
  assert.equal(r.matches, 9);
  r = buildRows(view, { ...none, query: '  UPSTREAM.Header ', collapsed: new Set([IDS.nginx]) });
  assert.deepEqual(names(view, r.rows), [
    '[ingress]',
    'nginx (context)',
    '  upstream.attempt (context)',
    '    upstream.header',
  ]);
  assert.equal(r.matches, 1);
  r = buildRows(view, { ...none, query: 'sandbox-node-2' }); // an attribute value
  assert.deepEqual(names(view, r.rows), ['[downstream]', 'GET /api/stock']);
  assert.equal(buildRows(view, { ...none, query: 'no such thing' }).rows.length, 0);
});

test('parent cycles, missing parents and duplicate ids still show every span', () => {
  const t: Trace = {
    traceId: 't',
    criticalPath: [],
    diagnostics: [],
    spans: [
      span({ id: 'a', parent: 'b', name: 'a', service: 's', layer: 'app', start: 0, end: 1 }),
      span({ id: 'b', parent: 'a', name: 'b', service: 's', layer: 'app', start: 1, end: 2 }),
      span({ id: 'c', parent: 'gone', name: 'c', service: 's', layer: 'app', start: 2, end: 3 }),
      span({ id: 'c', name: 'c-again', service: 's', layer: 'app', start: 3, end: 4 }),
      span({ id: 'd', parent: 'd', name: 'self', service: 's', layer: 'app', start: 4, end: 5 }),
    ],
  };
  const view = buildTraceView(t);
  const rows = buildRows(view, none).rows;
  assert.deepEqual(
    names(view, rows)
      .slice(1)
      .map((s) => s.trim())
      .sort(),
    ['a', 'b', 'c', 'c-again', 'self'],
  );
});

test('a chain 10,000 deep builds without recursion', () => {
  const spans = Array.from({ length: 10_000 }, (_, i) =>
    span({
      id: spanId(i + 1),
      parent: i ? spanId(i) : undefined,
      name: `s${i}`,
      service: 'x',
      layer: 'app',
      start: i,
      end: 10_000,
    }),
  );
  const view = buildTraceView({ traceId: 't', spans, criticalPath: [], diagnostics: [] });
  const rows = buildRows(view, none).rows;
  assert.equal(rows.length, 10_001);
  const last = rows[rows.length - 1];
  assert.equal(last.kind === 'span' && last.depth, 9_999);
  assert.equal(buildRows(view, { ...none, collapsed: new Set([spanId(5000)]) }).rows.length, 5_001);
});

test("steps group by consecutive phase, keeping nginx's order", () => {
  const g = groupSteps(NGINX_STEPS);
  assert.deepEqual(
    g.map((x) => [x.phase, x.steps.length]),
    [
      ['request line', 1],
      ['headers', 3],
      ['find config', 2],
      ['rewrite', 1],
      ['access', 1],
      ['content', 3],
      ['log', 1],
    ],
  );
  assert.deepEqual(
    groupSteps([
      { phase: 'a', message: '1' },
      { phase: 'b', message: '2' },
      { phase: 'a', message: '3' },
    ]).map((x) => x.phase),
    ['a', 'b', 'a'],
  );
});

test('durations and ticks read well', () => {
  assert.equal(formatDuration(0.35), '350 µs');
  assert.equal(formatDuration(0.0042), '4.20 µs');
  assert.equal(formatDuration(8.6), '8.60 ms');
  assert.equal(formatDuration(44.4), '44.4 ms');
  assert.equal(formatDuration(1850), '1.85 s');
  assert.equal(formatDuration(125_000), '2.1 min');
  assert.equal(formatDiff(13.32), '+13.3 ms');
  assert.equal(formatDiff(-4), '−4.00 ms');
  assert.equal(niceStep(48.2, 5), 10);
  assert.equal(niceStep(0.3, 4), 0.1);
  assert.deepEqual(ticks(0, 48.2, 5), [0, 10, 20, 30, 40]);
  assert.deepEqual(
    ticks(12.3, 14.1, 4).map((t) => formatTick(t, niceStep(1.8, 4))),
    ['12.5 ms', '13.0 ms', '13.5 ms', '14.0 ms'],
  );
  assert.equal(formatTick(2000, 1000), '2 s');
});
