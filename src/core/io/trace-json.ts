// Kubetrace's own Trace JSON (what `probe --json` and `import --json` print), read back span by span, so a
// 100,000-span trace never has to exist as one string. It is written by src/cli/json-bytes.ts.
import type { CriticalSection, Diagnostic, Span, Trace } from '../trace/model';
import type { JsonEvent, Pattern } from './json-stream';
import { explicitLayer } from './group';
import { MAX_NESTING, describe, isObject, limitNesting } from './values';
import { spanProblem } from '../../protocol/trace-check';

export const TRACE_PATTERNS: Pattern[] = [
  [['spans'], '*'],
  ['*', ['spans'], '*'],
];

/** Collects Trace objects from streamJson(..., TRACE_PATTERNS) events; `emit` gets each trace when it closes. */
export class TraceJsonReader {
  private readonly spans = new Map<object, Span[]>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly emit: (t: Trace) => void) {}

  onEvent(ev: JsonEvent): void {
    switch (ev.type) {
      case 'element': {
        const owner = ev.parents[ev.parents.length - 2] as object;
        const problem = spanProblem(ev.value);
        if (problem) {
          this.diagnostics.push({
            code: 'trace-json-bad-span',
            severity: 'warning',
            message: `${ev.path.join('.')}${problem}; it was skipped`,
          });
          return;
        }
        const span = ev.value as Span;
        // Attribute values nested thousands deep would overflow the stack when written back out: noted instead.
        const deep = [
          span.attributes,
          ...span.events.map((e) => e?.attributes),
          ...span.links.map((l) => l?.attributes),
        ]
          .filter(isObject)
          .flatMap((a) => limitNesting(a));
        if (deep.length)
          this.diagnostics.push({
            code: 'trace-json-deep-value',
            severity: 'warning',
            message:
              `${ev.path.join('.')} has attribute values nested more than ${MAX_NESTING}` +
              ` levels deep (${deep.slice(0, 3).join(', ')}); they were replaced by a note`,
          });
        let list = this.spans.get(owner);
        if (!list) this.spans.set(owner, (list = []));
        list.push(span);
        explicitLayer.add(ev.value as Span); // Kubetrace wrote this layer itself
        break;
      }
      case 'close':
        if (isObject(ev.value) && 'spans' in ev.value) this.close(ev.value);
        break;
      case 'stray':
        this.diagnostics.push({
          code: 'trace-json-malformed',
          severity: 'warning',
          message: `${ev.path.join('.')} is ${describe(ev.value)}, not a Trace; it was skipped`,
        });
        break;
      case 'end':
        if (!Array.isArray(ev.value) && !(isObject(ev.value) && 'spans' in ev.value)) {
          this.diagnostics.push({
            code: 'trace-json-malformed',
            severity: 'error',
            message: `expected a Kubetrace Trace or a list of them, found ${describe(ev.value)}`,
          });
        }
        break;
      case 'error':
        this.diagnostics.push({
          code: 'trace-json-malformed',
          severity: 'error',
          message: `the Trace JSON is malformed at byte ${ev.offset}: ${ev.message}`,
        });
        break;
    }
  }

  private close(t: Record<string, unknown>): void {
    const spans = this.spans.get(t) ?? [];
    this.spans.delete(t);
    const diagnostics = Array.isArray(t.diagnostics)
      ? (t.diagnostics.filter((d) => isObject(d) && typeof d.message === 'string') as Diagnostic[])
      : [];
    // Older files listed span ids; those, and any malformed section, leave the path to be found again on import.
    const given = Array.isArray(t.criticalPath) ? t.criticalPath : [];
    const criticalPath = given.every(isSection) ? (given as CriticalSection[]) : [];
    this.emit({ traceId: typeof t.traceId === 'string' ? t.traceId : '', spans, criticalPath, diagnostics });
  }
}

function isSection(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.spanId === 'string' &&
    Number.isSafeInteger(v.index) &&
    (v.index as number) >= 0 &&
    typeof v.startTimeUnixNano === 'string' &&
    /^\d+$/.test(v.startTimeUnixNano) &&
    typeof v.endTimeUnixNano === 'string' &&
    /^\d+$/.test(v.endTimeUnixNano)
  );
}
