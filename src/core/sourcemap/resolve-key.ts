// What the mapper's answer for a span depends on, as a string: spans with equal keys get the same answer, so it
// is computed once. Anything the app or nginx/routing modules read must be part of its key. Built by plain string
// concatenation of raw values: this runs once per span, so it must cost far less than the mapping it saves.
import type { Span } from '../trace/model';
import { requestFacts } from './routing';

const SEP = '\u0001';
const INGRESS_ATTRS = [
  'kubetrace.upstream.attempt',
  'http.route',
  'otel.scope.name',
  'otel.library.name',
  'service.name',
];
const APP_ATTRS = [
  'code.file.path',
  'code.filepath',
  'code.line.number',
  'code.lineno',
  'code.column.number',
  'code.column',
  'code.function.name',
  'code.function',
  'code.namespace',
  'exception.stacktrace',
  'code.stacktrace',
  'error.stack',
  'stack',
  'stacktrace',
  'http.route',
  'url.path',
  'http.target',
  'url.full',
  'http.url',
  'http.request.method',
  'http.method',
  'service.name',
  'k8s.deployment.name',
  'kubetrace.pod',
  'k8s.pod.name',
];

function values(s: Span, keys: string[], out: string[]): void {
  const a = s.attributes;
  for (const k of keys) {
    const v = a ? a[k] : undefined;
    out.push(v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
}

export function ingressKey(span: Span, routed: boolean): string {
  const parts = ['i', span.name, span.layer, span.kind, span.origin, span.service];
  values(span, INGRESS_ATTRS, parts);
  if (routed) {
    const f = requestFacts(span);
    parts.push('r', f.host ?? '', f.path ?? '', f.upstream ?? '', f.ingressName ?? '', f.namespace ?? '');
  }
  return parts.join(SEP);
}

export function appKey(span: Span): string {
  const parts = ['a', span.status === 'error' ? 'e' : '', span.kind, span.service];
  values(span, APP_ATTRS, parts);
  const events = span.events;
  if (events && events.length) {
    for (const ev of events) {
      if (!ev || typeof ev !== 'object') continue;
      const a = ev.attributes;
      // Events that carry no stack do not change the answer.
      if (
        a &&
        typeof a === 'object' &&
        ('exception.stacktrace' in a ||
          'stack' in a ||
          'error.stack' in a ||
          'code.stacktrace' in a ||
          'stacktrace' in a)
      ) {
        parts.push(
          'ev',
          String(ev.name),
          String(a['exception.stacktrace'] ?? ''),
          String(a['stack'] ?? ''),
          String(a['error.stack'] ?? ''),
          String(a['code.stacktrace'] ?? ''),
          String(a['stacktrace'] ?? ''),
        );
      }
    }
  }
  return parts.join(SEP);
}
