// Checks that a value has the shape of the trace model before the webview renders it.
// Unknown fields inside the model are ignored (never rendered); wrong types reject the whole trace.
// The same span check serves trace import (src/core/io/trace-json.ts): one definition of a valid span.
import type { SourceRef, Trace } from '../core/trace/model';
import { Bad, arr, at, fail, int, nanos, obj, oneOf, onlyKeys, optStr, str, type Obj } from './check';
import { LAYERS, ORIGINS, SEVERITIES, SOURCE_KINDS, SPAN_KINDS, SPAN_STATUSES } from './vocabulary';

export const MAX_ID = 256;
export const MAX_PATH = 4096;
const MAX_TEXT = 1_000_000;
const MAX_SPANS = 200_000;
const MAX_ITEMS = 100_000;

/** `strict` is for refs coming back from the webview, which must carry nothing else. */
export function checkSourceRef(x: unknown, parent: string, key: string | number, strict = false): SourceRef {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  if (strict) onlyKeys(o, ['kind', 'path', 'line', 'endLine', 'function'], path);
  const ref: SourceRef = {
    kind: oneOf(o.kind, SOURCE_KINDS, path, 'kind'),
    path: str(o.path, path, 'path', MAX_PATH, 1),
  };
  if (ref.path.includes('\0')) fail(path, 'path', 'contains a NUL character');
  if (o.line !== undefined) ref.line = int(o.line, path, 'line', 1, 1e9);
  if (o.endLine !== undefined) {
    ref.endLine = int(o.endLine, path, 'endLine', 1, 1e9);
    if (ref.line !== undefined && ref.endLine < ref.line) fail(path, 'endLine', 'is before line');
  }
  const fn = optStr(o.function, path, 'function', 1024);
  if (fn !== undefined) ref.function = fn;
  return ref;
}

function checkAttributes(o: Obj, path: string): void {
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(path, k.slice(0, 40), 'expected a finite number');
      continue;
    }
    if (Array.isArray(v) && v.every((e) => typeof e === 'string')) continue;
    fail(path, k.slice(0, 40), 'expected a string, number, boolean or string[]');
  }
}

function checkRefs(x: unknown, path: string, key: string): void {
  const list = arr(x, path, key, 1000);
  for (let i = 0; i < list.length; i++) checkSourceRef(list[i], at(path, key), i);
}

function checkStep(x: unknown, parent: string, i: number): void {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  str(o.phase, path, 'phase', 256);
  str(o.message, path, 'message', MAX_TEXT);
  if (o.source !== undefined) checkSourceRef(o.source, path, 'source');
  if (o.ambiguous !== undefined) checkRefs(o.ambiguous, path, 'ambiguous');
}

export function checkSpan(x: unknown, parent: string, i: number): void {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  str(o.spanId, path, 'spanId', MAX_ID, 1);
  optStr(o.parentSpanId, path, 'parentSpanId', MAX_ID);
  str(o.name, path, 'name', MAX_TEXT);
  str(o.service, path, 'service', MAX_TEXT);
  oneOf(o.layer, LAYERS, path, 'layer');
  oneOf(o.kind, SPAN_KINDS, path, 'kind');
  nanos(o.startTimeUnixNano, path, 'startTimeUnixNano');
  nanos(o.endTimeUnixNano, path, 'endTimeUnixNano');
  oneOf(o.status, SPAN_STATUSES, path, 'status');
  checkAttributes(obj(o.attributes, path, 'attributes'), at(path, 'attributes'));
  const events = arr(o.events, path, 'events', MAX_ITEMS);
  for (let j = 0; j < events.length; j++) {
    const ev = obj(events[j], at(path, 'events'), j);
    const p = `${path}.events[${j}]`;
    nanos(ev.timeUnixNano, p, 'timeUnixNano');
    str(ev.name, p, 'name', MAX_TEXT);
    obj(ev.attributes, p, 'attributes');
  }
  const links = arr(o.links, path, 'links', MAX_ITEMS);
  for (let j = 0; j < links.length; j++) {
    const link = obj(links[j], at(path, 'links'), j);
    const p = `${path}.links[${j}]`;
    str(link.traceId, p, 'traceId', MAX_ID);
    str(link.spanId, p, 'spanId', MAX_ID);
    if (link.attributes !== undefined) obj(link.attributes, p, 'attributes');
  }
  oneOf(o.origin, ORIGINS, path, 'origin');
  if (o.source !== undefined) checkSourceRef(o.source, path, 'source');
  if (o.moreSources !== undefined) checkRefs(o.moreSources, path, 'moreSources');
  optStr(o.sourceReason, path, 'sourceReason', MAX_TEXT);
  if (o.steps !== undefined) {
    const steps = arr(o.steps, path, 'steps', MAX_ITEMS);
    for (let j = 0; j < steps.length; j++) checkStep(steps[j], at(path, 'steps'), j);
  }
}

function checkDiagnostic(x: unknown, parent: string, i: number): void {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  str(o.code, path, 'code', 256);
  oneOf(o.severity, SEVERITIES, path, 'severity');
  str(o.message, path, 'message', MAX_TEXT);
  optStr(o.hint, path, 'hint', MAX_TEXT);
  optStr(o.spanId, path, 'spanId', MAX_ID);
}

/** A critical-path section names its span by position, and that span must carry the same id. */
function checkSection(x: unknown, spans: unknown[], parent: string, i: number): void {
  const o = obj(x, parent, i);
  const path = at(parent, i);
  const id = str(o.spanId, path, 'spanId', MAX_ID);
  const index = int(o.index, path, 'index', 0, spans.length - 1);
  if ((spans[index] as { spanId?: unknown }).spanId !== id) fail(path, 'spanId', `is not the id of spans[${index}]`);
  nanos(o.startTimeUnixNano, path, 'startTimeUnixNano');
  nanos(o.endTimeUnixNano, path, 'endTimeUnixNano');
}

export function checkTrace(x: unknown, parent: string, key: string): Trace {
  const o = obj(x, parent, key);
  const path = at(parent, key);
  str(o.traceId, path, 'traceId', MAX_ID);
  const spans = arr(o.spans, path, 'spans', MAX_SPANS);
  for (let i = 0; i < spans.length; i++) checkSpan(spans[i], `${path}.spans`, i);
  const critical = arr(o.criticalPath, path, 'criticalPath', MAX_SPANS);
  for (let i = 0; i < critical.length; i++) checkSection(critical[i], spans, `${path}.criticalPath`, i);
  const diags = arr(o.diagnostics, path, 'diagnostics', MAX_ITEMS);
  for (let i = 0; i < diags.length; i++) checkDiagnostic(diags[i], `${path}.diagnostics`, i);
  return o as unknown as Trace;
}

/** One span of a trace file: why it is not a model span (".field: reason" or ": reason"), or undefined when it is. */
export function spanProblem(x: unknown): string | undefined {
  try {
    checkSpan(x, '', 0);
    return undefined;
  } catch (e) {
    if (e instanceof Bad) return e.message.replace(/^\[0\]/, '');
    throw e;
  }
}
