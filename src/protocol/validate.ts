// Validators for both directions. The host runs parseWebviewMessage on everything the webview posts
// (it is untrusted: a compromised webview must not make the host do more than the allow-list);
// the webview runs parseHostMessage on arrival. Neither throws; both return undefined on bad input.
import type { CompareRow, HistoryEntry, HostToWebview, ProbeSummary, WebviewToHost } from './messages';
import { Bad, arr, at, int, obj, oneOf, onlyKeys, optBool, optNum, optStr, str, type Obj } from './check';
import { LAYERS, MAX_ID, checkSourceRef, checkTrace } from './trace-check';

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
  if (o.via !== undefined) oneOf(o.via, ['load-balancer', 'port-forward'] as const, key, 'via');
  optStr(o.error, key, 'error', MAX_TEXT);
  return o as unknown as ProbeSummary;
}

function checkEntry(x: unknown, parent: string, key: string | number): HistoryEntry {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  onlyKeys(o, ['id', 'time', 'target', 'traceId', 'method', 'status', 'durationMs', 'error'], path);
  str(o.id, path, 'id', MAX_ID, 1);
  str(o.time, path, 'time', 64);
  str(o.target, path, 'target', MAX_TEXT);
  str(o.traceId, path, 'traceId', MAX_ID);
  optStr(o.method, path, 'method', 64);
  if (o.status !== undefined) int(o.status, path, 'status', 0, 999);
  optNum(o.durationMs, path, 'durationMs', 0);
  optStr(o.error, path, 'error', MAX_TEXT);
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

function hostMessage(o: Obj): HostToWebview {
  switch (o.type) {
    case 'trace':
      onlyKeys(o, ['type', 'trace', 'probe', 'historyId'], '');
      checkTrace(o.trace, '', 'trace');
      if (o.probe !== undefined) checkProbe(o.probe, 'probe');
      optStr(o.historyId, '', 'historyId', MAX_ID);
      break;
    case 'history': {
      onlyKeys(o, ['type', 'entries', 'currentId'], '');
      const entries = arr(o.entries, '', 'entries', 10_000);
      for (let i = 0; i < entries.length; i++) checkEntry(entries[i], 'entries', i);
      optStr(o.currentId, '', 'currentId', MAX_ID);
      break;
    }
    case 'progress':
      onlyKeys(o, ['type', 'message', 'fraction', 'done'], '');
      str(o.message, '', 'message', MAX_TEXT);
      optNum(o.fraction, '', 'fraction', 0, 1);
      optBool(o.done, '', 'done');
      break;
    case 'compare': {
      onlyKeys(o, ['type', 'left', 'right', 'rows'], '');
      checkEntry(o.left, '', 'left');
      checkEntry(o.right, '', 'right');
      const rows = arr(o.rows, '', 'rows', 16);
      for (let i = 0; i < rows.length; i++) checkRow(rows[i], i);
      break;
    }
    case 'sourceStatus':
      onlyKeys(o, ['type', 'spanId', 'ok', 'reason'], '');
      str(o.spanId, '', 'spanId', MAX_ID, 1);
      if (typeof o.ok !== 'boolean') throw new Bad('ok: expected true or false');
      optStr(o.reason, '', 'reason', MAX_TEXT);
      break;
    case 'empty':
      onlyKeys(o, ['type', 'message'], '');
      optStr(o.message, '', 'message', MAX_TEXT);
      break;
    default:
      throw new Bad(`type: unknown message type ${JSON.stringify(String(o.type).slice(0, 40))}`);
  }
  return o as unknown as HostToWebview;
}

function webviewMessage(o: Obj): WebviewToHost {
  switch (o.type) {
    case 'ready':
    case 'rerun':
      onlyKeys(o, ['type'], '');
      break;
    case 'openSource':
      onlyKeys(o, ['type', 'spanId', 'ref'], '');
      str(o.spanId, '', 'spanId', MAX_ID, 1);
      checkSourceRef(o.ref, '', 'ref', true);
      break;
    case 'selectHistory':
      onlyKeys(o, ['type', 'id'], '');
      str(o.id, '', 'id', MAX_ID, 1);
      break;
    case 'compare':
      onlyKeys(o, ['type', 'leftId', 'rightId'], '');
      str(o.leftId, '', 'leftId', MAX_ID, 1);
      str(o.rightId, '', 'rightId', MAX_ID, 1);
      break;
    case 'export':
      onlyKeys(o, ['type', 'format'], '');
      oneOf(o.format, ['otlp', 'jaeger'] as const, '', 'format');
      break;
    case 'copy':
      onlyKeys(o, ['type', 'what'], '');
      oneOf(o.what, ['traceId', 'curl'] as const, '', 'what');
      break;
    default:
      throw new Bad(`type: unknown message type ${JSON.stringify(String(o.type).slice(0, 40))}`);
  }
  return o as unknown as WebviewToHost;
}

function run<T>(x: unknown, f: (o: Obj) => T): Checked<T> {
  try {
    return { ok: true, message: f(obj(x, '', 'message')) };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: e.message };
    return { ok: false, error: `unreadable message (${e instanceof Error ? e.message : String(e)})` };
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
