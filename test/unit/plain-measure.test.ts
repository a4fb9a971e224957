// A common access line measured straight from its times (src/core/burst/plain-measure.ts) against the usual way
// (its trace made and finished, then measureRequest and summarizeRequest): on random ingress-nginx lines, every
// line measured straight has the very same summary and measure, down to the order of its owned keys, and a log
// summarized with the straight way gives the same breakdown as without it. fast-check prints the seed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RequestBreakdown } from '../../src/core/burst/breakdown';
import { readPiece, summarizeChunk, takeTrace } from '../../src/core/burst/log-chunks';
import { measureRequest, summarizeRequest, type RequestMeasure } from '../../src/core/burst/measure';
import { plainMeasure } from '../../src/core/burst/plain-measure';
import { ControllerLogReader, type LogImportItem } from '../../src/core/ingest/controller-log/import';
import { finishTrace } from '../../src/core/io/finish';
import { parseAccessLogLine } from '../../src/core/ingest/nginx-log/parse';
import type { Trace } from '../../src/core/trace/model';
import { accessLine, errorLine } from '../fixtures/nginx-log/lines';

/** The line's trace the usual way, finished. */
function traceOf(line: string): Trace {
  const out: LogImportItem[] = [];
  const reader = new ControllerLogReader();
  reader.line(line, out);
  reader.end(out);
  const item = out.find((i) => 'trace' in i);
  assert.ok(item && 'trace' in item);
  return finishTrace(item.trace);
}

/** A measure with its owned map as a list, so that the order of its keys counts too. */
const plainData = (m: RequestMeasure) => ({ ...m, owned: [...m.owned] });

test('property: a line measured straight is measured as its trace is', () => {
  let straight = 0;
  let lines = 0;
  fc.assert(
    fc.property(accessLine, (line) => {
      lines++;
      const r = parseAccessLogLine(line);
      if (!('record' in r)) return;
      const got = plainMeasure(r.record);
      if (!got) return;
      straight++;
      const trace = traceOf(line);
      const summary = summarizeRequest(trace);
      assert.deepStrictEqual(got.summary, summary);
      assert.deepStrictEqual(plainData(got.measure), plainData(measureRequest(trace, summary)));
    }),
    { numRuns: 3000 },
  );
  assert.ok(straight > lines / 6, `${straight} of ${lines} lines measured straight`);
});

test('property: a piece summarized with the straight way gives the breakdown of the usual way', () => {
  const logs = fc.array(fc.oneof({ weight: 40, arbitrary: accessLine }, { weight: 1, arbitrary: errorLine }), {
    minLength: 1,
    maxLength: 30,
  });
  fc.assert(
    fc.property(logs, (log) => {
      const bytes = new Uint8Array(Buffer.from(log.join('\n') + '\n'));
      const got = summarizeChunk({ bytes, offset: 0, firstLine: 1 });
      const usual = new RequestBreakdown();
      const lineOf: number[] = [];
      readPiece({ bytes, offset: 0, firstLine: 1 }, (t) => takeTrace(usual, lineOf, new Map(), t));
      const want = usual.toPart();
      // A line without a request id gets a fresh trace id each way.
      assert.deepStrictEqual({ ...got.part, ids: undefined }, { ...want, ids: undefined });
      assert.deepStrictEqual([...(got.lineOf ?? [])], lineOf);
    }),
    { numRuns: 300 },
  );
});
