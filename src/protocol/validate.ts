// Validators for both directions. The host runs parseWebviewMessage on everything the webview posts
// (it is untrusted: a compromised webview must not make the host do more than the allow-list);
// the webview runs parseHostMessage on arrival. Neither throws; both return undefined on bad input.
import { COPY_WHATS, EXPORT_FORMATS, SET_SOURCES, VIAS } from './messages';
import type { CompareRow, HistoryEntry, HostToWebview, ProbeSummary, WebviewToHost } from './messages';
import { Bad, arr, at, int, obj, oneOf, onlyKeys, optBool, optNum, optStr, str, type Obj } from './check';
import { MAX_ID, checkSourceRef, checkTrace } from './trace-check';
import { LAYERS } from './vocabulary';
import { checkRouteCompare } from './route-compare-check';
import { checkBurstEntry, checkBurstLive, checkBurstReport, checkDifference, checkFilter } from './burst-check';

export type Checked<T> = { ok: true; message: T } | { ok: false; error: string };

const MAX_TEXT = 100_000;

export function checkProbe(x: unknown, key: string): ProbeSummary {
  const o = obj(x, '', key);
  onlyKeys(o, ['target', 'method', 'url', 'status', 'durationMs', 'via', 'error'], key);
  str(o.target, key, 'target', MAX_TEXT);
  str(o.method, key, 'method', 64);
  str(o.url, key, 'url', MAX_TEXT);
  if (o.status !== undefined) int(o.status, key, 'status', 0, 999);
  optNum(o.durationMs, key, 'durationMs', 0);
  if (o.via !== undefined) oneOf(o.via, VIAS, key, 'via');
  optStr(o.error, key, 'error', MAX_TEXT);
  return o as unknown as ProbeSummary;
}

function checkEntry(x: unknown, parent: string, key: string | number): HistoryEntry {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  onlyKeys(o, ['id', 'time', 'target', 'traceId', 'method', 'url', 'status', 'durationMs', 'error', 'burst'], path);
  str(o.id, path, 'id', MAX_ID, 1);
  str(o.time, path, 'time', 64);
  str(o.target, path, 'target', MAX_TEXT);
  str(o.traceId, path, 'traceId', MAX_ID);
  optStr(o.method, path, 'method', 64);
  optStr(o.url, path, 'url', MAX_TEXT);
  if (o.status !== undefined) int(o.status, path, 'status', 0, 999);
  optNum(o.durationMs, path, 'durationMs', 0);
  optStr(o.error, path, 'error', MAX_TEXT);
  if (o.burst !== undefined) o.burst = checkBurstEntry(o.burst, path, 'burst');
  return o as unknown as HistoryEntry;
}

function checkRow(x: unknown, i: number): CompareRow {
  const o = obj(x, 'rows', i);
  const path = at('rows', i);
  onlyKeys(o, ['layer', 'leftMs', 'rightMs', 'diffMs'], path);
  oneOf(o.layer, [...LAYERS, 'total'] as const, path, 'layer');
  optNum(o.leftMs, path, 'leftMs', 0);
  optNum(o.rightMs, path, 'rightMs', 0);
  optNum(o.diffMs, path, 'diffMs');
  return o as unknown as CompareRow;
}

type Validators<U extends { type: string }> = { [K in U['type']]: (o: Obj) => Extract<U, { type: K }> };

/** One validator per message type; a message type without one does not compile. Each rebuilds the message from checked fields. */
const HOST_VALIDATORS = {
  trace: (o) => {
    onlyKeys(o, ['type', 'trace', 'probe', 'historyId', 'selected', 'burstId'], '');
    return {
      type: 'trace',
      trace: checkTrace(o.trace, '', 'trace'),
      probe: o.probe === undefined ? undefined : checkProbe(o.probe, 'probe'),
      historyId: optStr(o.historyId, '', 'historyId', MAX_ID),
      selected: optStr(o.selected, '', 'selected', MAX_ID),
      burstId: optStr(o.burstId, '', 'burstId', MAX_ID),
    };
  },
  burst: (o) => {
    onlyKeys(o, ['type', 'id', 'title', 'source', 'report', 'live', 'filter'], '');
    return {
      type: 'burst',
      id: str(o.id, '', 'id', MAX_ID, 1),
      title: str(o.title, '', 'title', MAX_TEXT),
      source: oneOf(o.source, SET_SOURCES, '', 'source'),
      report: checkBurstReport(o.report, '', 'report'),
      live: o.live === undefined ? undefined : checkBurstLive(o.live, '', 'live'),
      filter: o.filter === undefined ? undefined : checkFilter(o.filter, '', 'filter'),
    };
  },
  burstCompare: (o) => {
    onlyKeys(o, ['type', 'left', 'right', 'equal', 'differences'], '');
    if (typeof o.equal !== 'boolean') throw new Bad('equal: expected true or false');
    return {
      type: 'burstCompare',
      left: checkEntry(o.left, '', 'left'),
      right: checkEntry(o.right, '', 'right'),
      equal: o.equal,
      differences: arr(o.differences, '', 'differences', 1000).map((d, i) => checkDifference(d, 'differences', i)),
    };
  },
  history: (o) => {
    onlyKeys(o, ['type', 'entries', 'currentId'], '');
    const entries = arr(o.entries, '', 'entries', 10_000).map((e, i) => checkEntry(e, 'entries', i));
    return { type: 'history', entries, currentId: optStr(o.currentId, '', 'currentId', MAX_ID) };
  },
  progress: (o) => {
    onlyKeys(o, ['type', 'message', 'fraction', 'done'], '');
    return {
      type: 'progress',
      message: str(o.message, '', 'message', MAX_TEXT),
      fraction: optNum(o.fraction, '', 'fraction', 0, 1),
      done: optBool(o.done, '', 'done'),
    };
  },
  compare: (o) => {
    onlyKeys(o, ['type', 'left', 'right', 'rows'], '');
    return {
      type: 'compare',
      left: checkEntry(o.left, '', 'left'),
      right: checkEntry(o.right, '', 'right'),
      rows: arr(o.rows, '', 'rows', 16).map(checkRow),
    };
  },
  routeCompare: checkRouteCompare,
  sourceStatus: (o) => {
    onlyKeys(o, ['type', 'spanId', 'ok', 'reason'], '');
    if (typeof o.ok !== 'boolean') throw new Bad('ok: expected true or false');
    return {
      type: 'sourceStatus',
      spanId: str(o.spanId, '', 'spanId', MAX_ID, 1),
      ok: o.ok,
      reason: optStr(o.reason, '', 'reason', MAX_TEXT),
    };
  },
  empty: (o) => {
    onlyKeys(o, ['type', 'message'], '');
    return { type: 'empty', message: optStr(o.message, '', 'message', MAX_TEXT) };
  },
} satisfies Validators<HostToWebview>;

const WEBVIEW_VALIDATORS = {
  ready: (o) => {
    onlyKeys(o, ['type'], '');
    return { type: 'ready' };
  },
  rerun: (o) => {
    onlyKeys(o, ['type'], '');
    return { type: 'rerun' };
  },
  openSource: (o) => {
    onlyKeys(o, ['type', 'spanId', 'ref'], '');
    return {
      type: 'openSource',
      spanId: str(o.spanId, '', 'spanId', MAX_ID, 1),
      ref: checkSourceRef(o.ref, '', 'ref', true),
    };
  },
  selectHistory: (o) => {
    onlyKeys(o, ['type', 'id'], '');
    return { type: 'selectHistory', id: str(o.id, '', 'id', MAX_ID, 1) };
  },
  selectSpan: (o) => {
    onlyKeys(o, ['type', 'spanId'], '');
    return { type: 'selectSpan', spanId: str(o.spanId, '', 'spanId', MAX_ID, 1) };
  },
  compare: (o) => {
    onlyKeys(o, ['type', 'leftId', 'rightId'], '');
    return {
      type: 'compare',
      leftId: str(o.leftId, '', 'leftId', MAX_ID, 1),
      rightId: str(o.rightId, '', 'rightId', MAX_ID, 1),
    };
  },
  export: (o) => {
    onlyKeys(o, ['type', 'format'], '');
    return { type: 'export', format: oneOf(o.format, EXPORT_FORMATS, '', 'format') };
  },
  copy: (o) => {
    onlyKeys(o, ['type', 'what'], '');
    return { type: 'copy', what: oneOf(o.what, COPY_WHATS, '', 'what') };
  },
  openRequest: (o) => {
    onlyKeys(o, ['type', 'traceId'], '');
    return { type: 'openRequest', traceId: str(o.traceId, '', 'traceId', MAX_ID, 1) };
  },
  filterRequests: (o) => {
    onlyKeys(o, ['type', 'filter'], '');
    return { type: 'filterRequests', filter: checkFilter(o.filter, '', 'filter') };
  },
} satisfies Validators<WebviewToHost>;

/** Picks the validator for `o.type` from a table; an unknown type is refused by name. */
function dispatch<U extends { type: string }>(table: Validators<U>, o: Obj): U {
  const type = o.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(table, type)) {
    throw new Bad(`type: unknown message type ${JSON.stringify(String(type).slice(0, 40))}`);
  }
  const message = (table as Record<string, (o: Obj) => U>)[type](o);
  // Optional fields that were absent stay absent (not present-but-undefined), as they were posted.
  for (const k of Object.keys(message)) if ((message as Obj)[k] === undefined) delete (message as Obj)[k];
  return message;
}
const hostMessage = (o: Obj): HostToWebview => dispatch<HostToWebview>(HOST_VALIDATORS, o);
const webviewMessage = (o: Obj): WebviewToHost => dispatch<WebviewToHost>(WEBVIEW_VALIDATORS, o);

function run<T>(x: unknown, f: (o: Obj) => T): Checked<T> {
  try {
    return { ok: true, message: f(obj(x, '', 'message')) };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: e.message };
    return { ok: false, error: `unreadable message (${String(e)})` };
  }
}

/** Host side: what the webview posted, or why it was refused (for the output channel). */
export function checkWebviewMessage(x: unknown): Checked<WebviewToHost> {
  return run(x, webviewMessage);
}
export function parseWebviewMessage(x: unknown): WebviewToHost | undefined {
  const r = checkWebviewMessage(x);
  return r.ok ? r.message : undefined;
}

/** Webview side: what the host posted, or why it was ignored. */
export function checkHostMessage(x: unknown): Checked<HostToWebview> {
  return run(x, hostMessage);
}
export function parseHostMessage(x: unknown): HostToWebview | undefined {
  const r = checkHostMessage(x);
  return r.ok ? r.message : undefined;
}

/** For exhaustive switches over either union: `default: return assertNever(msg)`. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
