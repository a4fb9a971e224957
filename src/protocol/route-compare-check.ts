// The validator of `routeCompare` (a RouteComparison from src/core/compare/run.ts plus two traces), kept apart from
// validate.ts so that the table there stays one line per message type.
import type { CompareSide, RouteCompareMessage, RouteComparison } from './messages';
import { Bad, arr, at, int, num, obj, onlyKeys, optStr, str, type Obj } from './check';
import { MAX_ID, checkTrace } from './trace-check';
import { checkDifference } from './burst-check';
import { LAYERS } from './vocabulary';

const MAX_TEXT = 10_000;
const MAX_MS = 1e12;
/** MAX_COMPARE_COUNT (50) probes per side; a little room, never thousands. */
const MAX_TRACES = 100;
const LAYER_KEYS = [...LAYERS, 'total'] as const;

function checkSide(x: unknown, parent: string, key: string): CompareSide {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  onlyKeys(o, ['route', 'traceIds', 'status', 'medianMs', 'layers', 'url'], path);
  const layers = obj(o.layers, path, 'layers');
  onlyKeys(layers, LAYER_KEYS, at(path, 'layers'));
  for (const k of Object.keys(layers)) num(layers[k], at(path, 'layers'), k, 0, MAX_MS);
  return {
    route: str(o.route, path, 'route', MAX_TEXT, 1),
    traceIds: arr(o.traceIds, path, 'traceIds', MAX_TRACES).map((t, i) => str(t, at(path, 'traceIds'), i, MAX_ID)),
    // A number when every probe got the same status, else the distinct ones as text.
    status: typeof o.status === 'number' ? int(o.status, path, 'status', 0, 999) : str(o.status, path, 'status', 1000),
    medianMs: num(o.medianMs, path, 'medianMs', 0, MAX_MS),
    layers: layers as CompareSide['layers'],
    ...(o.url !== undefined ? { url: str(o.url, path, 'url', MAX_TEXT) } : {}),
  };
}

function checkComparison(x: unknown): RouteComparison {
  const o = obj(x, '', 'comparison');
  onlyKeys(o, ['a', 'b', 'equal', 'differences', 'notCarriedOver'], 'comparison');
  if (typeof o.equal !== 'boolean') throw new Bad('comparison.equal: expected true or false');
  return {
    a: checkSide(o.a, 'comparison', 'a'),
    b: checkSide(o.b, 'comparison', 'b'),
    equal: o.equal,
    differences: arr(o.differences, 'comparison', 'differences', 1000).map((d, i) =>
      checkDifference(d, 'comparison.differences', i),
    ),
    notCarriedOver: arr(o.notCarriedOver, 'comparison', 'notCarriedOver', 1000).map((n, i) => {
      const path = 'comparison.notCarriedOver';
      const e = obj(n, path, i);
      onlyKeys(e, ['what', 'detail'], at(path, i));
      return {
        what: str(e.what, at(path, i), 'what', MAX_TEXT),
        detail: str(e.detail, at(path, i), 'detail', MAX_TEXT),
      };
    }),
  };
}

export function checkRouteCompare(o: Obj): RouteCompareMessage {
  onlyKeys(o, ['type', 'comparison', 'a', 'b', 'aHistoryId', 'bHistoryId'], '');
  return {
    type: 'routeCompare',
    comparison: checkComparison(o.comparison),
    a: checkTrace(o.a, '', 'a'),
    b: checkTrace(o.b, '', 'b'),
    aHistoryId: optStr(o.aHistoryId, '', 'aHistoryId', MAX_ID),
    bHistoryId: optStr(o.bHistoryId, '', 'bHistoryId', MAX_ID),
  };
}
