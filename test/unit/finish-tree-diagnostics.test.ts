// finishTrace's repeated-id and missing-parent diagnostics (src/core/io/finish.ts), which small traces now skip
// when a look through their spans finds nothing to report: the same diagnostics as counting every trace, on random
// small trees. fast-check prints the seed and the smallest failing trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { finishTrace } from '../../src/core/io/finish';
import type { Diagnostic, Span } from '../../src/core/trace/model';

const T0 = 1_795_773_600_000_000_000n;

function span(id: string, parent: string | undefined, i: number): Span {
  return {
    spanId: id,
    parentSpanId: parent,
    name: `op${i}`,
    service: 'ingress-nginx',
    layer: 'ingress',
    kind: 'internal',
    startTimeUnixNano: String(T0 + BigInt(i)),
    endTimeUnixNano: String(T0 + 100n - BigInt(i)),
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    origin: 'nginx-log',
  };
}

/** What finish.ts says about ids and parents, counted with a Map for every trace (as it did before). */
function expected(traceId: string, spans: Span[]): Diagnostic[] {
  const counts = new Map<string, number>();
  for (const s of spans) counts.set(s.spanId, (counts.get(s.spanId) ?? 0) + 1);
  const out: Diagnostic[] = [];
  for (const [id, n] of counts)
    if (n > 1)
      out.push({
        code: 'duplicate-span-id',
        severity: 'warning',
        spanId: id,
        message: `span id ${id} appears ${n} times in trace ${traceId}; all ${n} spans are kept`,
      });
  const missing = new Set<string>();
  for (const s of spans) if (s.parentSpanId !== undefined && !counts.has(s.parentSpanId)) missing.add(s.parentSpanId);
  if (missing.size)
    out.push({
      code: 'missing-parent',
      severity: 'info',
      message:
        `${missing.size} parent span${missing.size > 1 ? 's are' : ' is'} not in the ` +
        `trace (${[...missing].slice(0, 5).join(', ')}${missing.size > 5 ? ', ...' : ''}); their children show as roots`,
    });
  return out;
}

test('property: repeated ids and missing parents are reported as when every trace was counted', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ id: fc.nat({ max: 25 }), parent: fc.option(fc.nat({ max: 25 })) }), {
        minLength: 1,
        maxLength: 24,
      }),
      (raw) => {
        const spans = raw.map((r, i) => span(`s${r.id}`, r.parent === null ? undefined : `s${r.parent}`, i));
        const t = finishTrace({ traceId: 't', spans, criticalPath: [], diagnostics: [] });
        const tree = t.diagnostics.filter((d) => d.code === 'duplicate-span-id' || d.code === 'missing-parent');
        assert.deepEqual(tree, expected('t', spans));
      },
    ),
    { numRuns: 2000 },
  );
});
