// The `routeCompare` message ("Compare With Route..."): a good one passes as it is, malformed ones are refused
// without throwing, whatever part of the comparison is wrong.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHostMessage, parseHostMessage } from '../../src/protocol/validate';
import { routeCompareMessage } from '../webview/route-compare-fixtures';

type Msg = ReturnType<typeof routeCompareMessage>;
const bad = (change: (m: Msg) => void) => {
  const m = routeCompareMessage();
  change(m);
  return m;
};

test('a route comparison passes as it was posted', () => {
  const m = routeCompareMessage();
  assert.deepEqual(parseHostMessage(structuredClone(m)), m);
  const { aHistoryId, bHistoryId, ...noIds } = m;
  void aHistoryId;
  void bHistoryId;
  assert.deepEqual(parseHostMessage(structuredClone(noIds)), noIds, 'the history ids are optional');
  const same = bad((x) => Object.assign(x.comparison, { equal: true, differences: [], notCarriedOver: [] }));
  assert.deepEqual(parseHostMessage(structuredClone(same)), same);
});

test('malformed route comparisons are refused with a reason', () => {
  const cases: [string, unknown, RegExp][] = [
    ['no comparison', bad((m) => delete (m as Partial<Msg>).comparison), /comparison: expected an object/],
    ['no trace b', bad((m) => delete (m as Partial<Msg>).b), /^b: expected an object/],
    ['extra field', { ...routeCompareMessage(), html: '<b>' }, /unexpected field "html"/],
    ['equal not a boolean', bad((m) => ((m.comparison as { equal: unknown }).equal = 'yes')), /comparison.equal/],
    ['severity', bad((m) => ((m.comparison.differences[0] as { severity: string }).severity = 'fatal')), /severity/],
    [
      'difference side',
      bad((m) => ((m.comparison.differences[0] as { a: unknown }).a = { x: 1 })),
      /differences\[0\]\.a/,
    ],
    ['difference extra key', bad((m) => Object.assign(m.comparison.differences[1], { onclick: 'x' })), /unexpected/],
    [
      'not carried over detail',
      bad((m) => ((m.comparison.notCarriedOver[0] as { detail: unknown }).detail = 3)),
      /detail/,
    ],
    ['side extra key', bad((m) => Object.assign(m.comparison.a, { token: 'x' })), /comparison.a: unexpected/],
    ['empty route', bad((m) => (m.comparison.a.route = '')), /route: must not be empty/],
    ['status out of range', bad((m) => (m.comparison.b.status = 1000)), /status/],
    ['negative median', bad((m) => (m.comparison.a.medianMs = -1)), /medianMs/],
    ['NaN layer', bad((m) => (m.comparison.a.layers.ingress = NaN)), /layers.ingress/],
    ['unknown layer', bad((m) => Object.assign(m.comparison.b.layers, { gpu: 1 })), /unexpected field "gpu"/],
    ['trace ids', bad((m) => (m.comparison.a.traceIds = 'x' as unknown as string[])), /traceIds: expected an array/],
    ['too many trace ids', bad((m) => (m.comparison.a.traceIds = Array(101).fill('x'))), /more than 100/],
    ['history id', bad((m) => ((m as { aHistoryId: unknown }).aHistoryId = 7)), /aHistoryId/],
  ];
  for (const [name, m, why] of cases) {
    const r = checkHostMessage(m);
    assert.equal(r.ok, false, name);
    if (!r.ok) assert.match(r.error, why, name);
  }
});
