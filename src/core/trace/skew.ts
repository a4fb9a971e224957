// Clock-skew correction as Jaeger's adjuster does it: a child from another service that starts before its
// parent (or ends after it) is moved, with its subtree, so it sits centred inside the parent.
import type { Diagnostic, Span } from './model';
import { end, indexSpans, start, walk } from './span-index';

const RESOLUTION_NS = 2_000_000n;

export function correctClockSkew(spans: Span[]): Diagnostic[] {
  const tree = indexSpans(spans);
  const diagnostics: Diagnostic[] = [];
  const shifted = new Set<string>();
  const visit = (parent: Span) => {
    for (const child of tree.children.get(parent.spanId) ?? []) {
      if (child.service !== parent.service && !shifted.has(child.spanId)) {
        const ps = start(parent),
          pe = end(parent),
          cs = start(child),
          ce = end(child);
        const pd = pe - ps,
          cd = ce - cs;
        // nginx logs times to the millisecond: an overhang within that resolution is rounding, not skew.
        const overhang = cs < ps ? ps - cs : ce - pe;
        if ((cs < ps || ce > pe) && cd <= pd && overhang > RESOLUTION_NS) {
          const delta = ps + (pd - cd) / 2n - cs;
          walk(tree, child, (s) => {
            s.startTimeUnixNano = String(start(s) + delta);
            s.endTimeUnixNano = String(end(s) + delta);
            s.attributes['kubetrace.clock_skew_ns'] = Number(delta);
            shifted.add(s.spanId);
          });
          diagnostics.push({
            code: 'clock-skew',
            severity: 'info',
            spanId: child.spanId,
            message: `${child.service} "${child.name}" ${cs < ps ? `started ${fmtMs(ps - cs)} before its parent` : `ended ${fmtMs(ce - pe)} after its parent`} (${parent.service} "${parent.name}"); it was moved ${fmtMs(delta)} ${delta > 0n ? 'later' : 'earlier'} to sit inside it`,
            hint:
              cs < ps
                ? 'the clocks of the two hosts differ; the span durations are exact, their offsets are estimated'
                : // Ending late is also what an app does that closes its span after the response has left it.
                  'the clocks of the two hosts differ, or the app closed its span after ' +
                  'sending the response; durations are exact, offsets are estimated',
          });
        }
      }
      visit(child);
    }
  };
  for (const r of tree.roots) visit(r);
  return diagnostics;
}

const fmtMs = (ns: bigint) => `${(Math.abs(Number(ns)) / 1e6).toFixed(2)} ms`;
