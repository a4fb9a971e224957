// The protocol validators: every allowed message passes, anything else is refused without throwing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { WebviewToHost } from '../../src/protocol/messages';
import {
  checkHostMessage,
  checkWebviewMessage,
  parseHostMessage,
  parseWebviewMessage,
} from '../../src/protocol/validate';
import { bigTrace, history, IDS, PROBE, probeTrace } from '../webview/fixtures';
import { cpuMs } from '../cpu';

const ref = {
  kind: 'nginx',
  path: 'src/http/ngx_http_upstream.c',
  line: 1516,
  function: 'ngx_http_upstream_connect',
} as const;
const GOOD_FROM_WEBVIEW: WebviewToHost[] = [
  { type: 'ready' },
  { type: 'rerun' },
  { type: 'openSource', spanId: IDS.nginx, ref },
  { type: 'openSource', spanId: 'x', ref: { kind: 'app', path: 'a.js' } },
  { type: 'openSource', spanId: 'x', ref: { kind: 'nginx-conf', path: 'nginx.conf', line: 3, endLine: 9 } },
  { type: 'selectHistory', id: 'h1' },
  { type: 'compare', leftId: 'h1', rightId: 'h2' },
  { type: 'export', format: 'otlp' },
  { type: 'export', format: 'jaeger' },
  { type: 'copy', what: 'traceId' },
  { type: 'copy', what: 'curl' },
];

describe('parseWebviewMessage', () => {
  test('accepts every allowed message as it is', () => {
    for (const m of GOOD_FROM_WEBVIEW) assert.deepEqual(parseWebviewMessage(structuredClone(m)), m);
  });

  const bad: [string, unknown][] = [
    ['not an object', 'ready'],
    ['null', null],
    ['an array', [{ type: 'ready' }]],
    ['no type', {}],
    ['unknown type', { type: 'runCommand', command: 'workbench.action.terminal.new' }],
    ['type of the other direction', { type: 'trace', trace: probeTrace() }],
    ['extra field', { type: 'ready', command: 'x' }],
    ['extra field on rerun', { type: 'rerun', args: ['--rm'] }],
    ['own __proto__ key', JSON.parse('{"type":"ready","__proto__":{"x":1}}')],
    ['not a plain object', Object.assign(Object.create({ polluted: true }), { type: 'ready' })],
    ['export format', { type: 'export', format: 'zip' }],
    ['copy what', { type: 'copy', what: 'kubeconfig' }],
    ['empty history id', { type: 'selectHistory', id: '' }],
    ['numeric id', { type: 'selectHistory', id: 7 }],
    ['compare without right', { type: 'compare', leftId: 'a' }],
    ['openSource without ref', { type: 'openSource', spanId: 'x' }],
    ['ref kind', { type: 'openSource', spanId: 'x', ref: { ...ref, kind: 'file' } }],
    ['ref extra key', { type: 'openSource', spanId: 'x', ref: { ...ref, uri: 'file:///etc/passwd' } }],
    ['ref empty path', { type: 'openSource', spanId: 'x', ref: { kind: 'app', path: '' } }],
    ['ref NUL in path', { type: 'openSource', spanId: 'x', ref: { kind: 'app', path: 'a\0b' } }],
    ['ref line 0', { type: 'openSource', spanId: 'x', ref: { ...ref, line: 0 } }],
    ['ref fractional line', { type: 'openSource', spanId: 'x', ref: { ...ref, line: 1.5 } }],
    ['ref line as string', { type: 'openSource', spanId: 'x', ref: { ...ref, line: '12' } }],
    ['ref endLine before line', { type: 'openSource', spanId: 'x', ref: { ...ref, line: 9, endLine: 3 } }],
    ['huge path', { type: 'openSource', spanId: 'x', ref: { kind: 'app', path: 'a'.repeat(5000) } }],
    ['huge span id', { type: 'openSource', spanId: 'x'.repeat(300), ref }],
  ];
  for (const [name, msg] of bad) {
    test(`refuses: ${name}`, () => {
      assert.equal(parseWebviewMessage(msg), undefined);
      const r = checkWebviewMessage(msg);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.error.length > 0);
    });
  }

  test('says which field is wrong', () => {
    const r = checkWebviewMessage({ type: 'openSource', spanId: 'x', ref: { ...ref, line: -1 } });
    assert.deepEqual(r, { ok: false, error: 'ref.line: out of range [1, 1000000000]' });
    assert.deepEqual(checkWebviewMessage({ type: 'ready', x: 1 }), {
      ok: false,
      error: 'message: unexpected field "x"',
    });
  });

  test('never throws, and whatever it accepts is one of the allowed shapes (random input)', () => {
    const allowed: Record<string, string[]> = {
      ready: [],
      rerun: [],
      openSource: ['spanId', 'ref'],
      selectHistory: ['id'],
      compare: ['leftId', 'rightId'],
      export: ['format'],
      copy: ['what'],
    };
    const arbMsg = fc.oneof(
      fc.anything(),
      fc.record({ type: fc.constantFrom(...Object.keys(allowed), 'trace', 'x') }, { requiredKeys: [] }),
      fc
        .constantFrom(...GOOD_FROM_WEBVIEW)
        .chain((m) =>
          fc.tuple(fc.constant(m), fc.string(), fc.anything()).map(([base, k, v]) => ({ ...base, [k]: v })),
        ),
    );
    fc.assert(
      fc.property(arbMsg, (m) => {
        const r = parseWebviewMessage(m);
        if (r === undefined) return;
        assert.deepEqual(Object.keys(r).sort(), ['type', ...allowed[r.type]].sort());
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseHostMessage', () => {
  test('accepts a probe trace, history, progress, compare, sourceStatus and empty', () => {
    const msgs = [
      { type: 'trace', trace: probeTrace(), probe: PROBE, historyId: 'h1' },
      { type: 'trace', trace: { traceId: 'abc', spans: [], criticalPath: [], diagnostics: [] } },
      { type: 'history', entries: history(), currentId: 'h1' },
      { type: 'progress', message: 'Downloading', fraction: 0.5 },
      { type: 'progress', message: 'Done', done: true },
      {
        type: 'compare',
        left: history()[0],
        right: history()[1],
        rows: [
          { layer: 'app', leftMs: 1, rightMs: 2, diffMs: 1 },
          { layer: 'total', leftMs: 3 },
        ],
      },
      { type: 'sourceStatus', spanId: 'x', ok: false, reason: 'outside the workspace' },
      { type: 'empty' },
      { type: 'empty', message: 'probe failed' },
    ];
    for (const m of msgs) assert.deepEqual(parseHostMessage(structuredClone(m)), m, JSON.stringify(m).slice(0, 80));
  });

  test('unknown fields inside the trace model are ignored, not rendered and not refused', () => {
    const t = probeTrace() as unknown as { spans: Record<string, unknown>[] };
    t.spans[0].futureField = { anything: true };
    assert.ok(parseHostMessage({ type: 'trace', trace: t }));
  });

  // A trace to break on purpose: any field, however deep, may be overwritten with anything.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const cases: [string, (t: any) => void, RegExp][] = [
    [
      'bad layer',
      (t) => {
        t.spans[3].layer = 'database';
      },
      /^trace\.spans\[3\]\.layer: expected one of/,
    ],
    [
      'time not decimal',
      (t) => {
        t.spans[0].startTimeUnixNano = '1.5e18';
      },
      /^trace\.spans\[0\]\.startTimeUnixNano:/,
    ],
    [
      'time as number',
      (t) => {
        t.spans[0].endTimeUnixNano = 1;
      },
      /^trace\.spans\[0\]\.endTimeUnixNano:/,
    ],
    [
      'attribute object',
      (t) => {
        t.spans[1].attributes.x = { a: 1 };
      },
      /^trace\.spans\[1\]\.attributes\.x:/,
    ],
    [
      'attribute NaN-like',
      (t) => {
        t.spans[1].attributes.x = Infinity;
      },
      /^trace\.spans\[1\]\.attributes\.x:/,
    ],
    [
      'mixed array',
      (t) => {
        t.spans[1].attributes.x = ['a', 1];
      },
      /attributes\.x/,
    ],
    [
      'event without attributes',
      (t) => {
        t.spans[12].events[0].attributes = null;
      },
      /^trace\.spans\[12\]\.events\[0\]\.attributes:/,
    ],
    [
      'step source path missing',
      (t) => {
        t.spans[6].steps[2].source = { kind: 'nginx' };
      },
      /^trace\.spans\[6\]\.steps\[2\]\.source\.path:/,
    ],
    [
      'ambiguous not array',
      (t) => {
        t.spans[6].steps[6].ambiguous = {};
      },
      /steps\[6\]\.ambiguous: expected an array/,
    ],
    [
      'moreSources bad kind',
      (t) => {
        t.spans[6].moreSources[1].kind = 'url';
      },
      /moreSources\[1\]\.kind/,
    ],
    [
      'diagnostic severity',
      (t) => {
        t.diagnostics[0].severity = 'fatal';
      },
      /^trace\.diagnostics\[0\]\.severity/,
    ],
    [
      'criticalPath entry',
      (t) => {
        t.criticalPath.push(5);
      },
      /^trace\.criticalPath\[\d+\]: expected an object/,
    ],
    [
      'criticalPath section naming another span',
      (t) => {
        t.criticalPath[0].index = 1;
      },
      /^trace\.criticalPath\[0\]\.spanId: is not the id of spans\[1\]/,
    ],
    [
      'criticalPath section outside the spans',
      (t) => {
        t.criticalPath[0].index = t.spans.length;
      },
      /^trace\.criticalPath\[0\]\.index/,
    ],
    [
      'span not object',
      (t) => {
        t.spans.push('span');
      },
      /^trace\.spans\[17\]: expected an object/,
    ],
    [
      'empty span id',
      (t) => {
        t.spans[0].spanId = '';
      },
      /spanId: must not be empty/,
    ],
  ];
  for (const [name, mutate, error] of cases) {
    test(`refuses a trace with ${name}, naming the field`, () => {
      const t = probeTrace();
      mutate(t);
      const r = checkHostMessage({ type: 'trace', trace: t });
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, error);
    });
  }

  test('refuses bad envelopes', () => {
    for (const m of [
      { type: 'trace', trace: probeTrace(), extra: 1 },
      { type: 'trace', trace: probeTrace(), probe: { ...PROBE, status: 'ok' } },
      { type: 'trace', trace: probeTrace(), probe: { ...PROBE, via: 'ssh' } },
      { type: 'trace', trace: probeTrace(), probe: { ...PROBE, headers: { Authorization: 'Bearer x' } } },
      { type: 'history', entries: [{ ...history()[0], token: 'x' }] },
      { type: 'progress', message: 'x', fraction: 1.5 },
      { type: 'progress', message: 'x', fraction: Number.NaN },
      { type: 'compare', left: history()[0], right: history()[1], rows: [{ layer: 'db', leftMs: 1 }] },
      { type: 'compare', left: history()[0], right: history()[1], rows: [{ layer: 'app', leftMs: -1 }] },
      { type: 'sourceStatus', spanId: 'x', ok: 'yes' },
      { type: 'ready' },
    ])
      assert.equal(parseHostMessage(m), undefined, JSON.stringify(m).slice(0, 120));
  });

  test('checks a 10,000-span trace quickly', () => {
    const t = bigTrace(10_000);
    const start = cpuMs();
    assert.ok(parseHostMessage({ type: 'trace', trace: t }));
    assert.ok(cpuMs() - start < 2000, 'no runaway work (CPU time)');
  });

  test('never throws on random input', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        parseHostMessage(x);
        parseHostMessage({ type: 'trace', trace: x });
      }),
      { numRuns: 3000 },
    );
    const base = probeTrace();
    fc.assert(
      fc.property(
        fc.nat(base.spans.length - 1),
        fc.constantFrom('name', 'layer', 'attributes', 'events', 'steps', 'source', 'startTimeUnixNano'),
        fc.anything(),
        (i, key, v) => {
          const t = structuredClone(base) as unknown as { spans: Record<string, unknown>[] };
          t.spans[i][key] = v;
          parseHostMessage({ type: 'trace', trace: t });
        },
      ),
      { numRuns: 2000 },
    );
  });
});
