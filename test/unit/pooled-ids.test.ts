// Pooled ids (src/core/ingest/nginx-log/pooled-ids.ts): slices of one hex text per random pool, across refills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pooledSpanId, pooledTraceId } from '../../src/core/ingest/nginx-log/pooled-ids';

test('pooled ids are lowercase hex of the right length, never all zero, and distinct across pool refills', () => {
  const seen = new Set<string>();
  // 65,536 random bytes make 8,192 span ids: this crosses several refills, with trace ids mixed in.
  for (let i = 0; i < 40_000; i++) {
    const id = i % 7 ? pooledSpanId() : pooledTraceId();
    assert.match(id, i % 7 ? /^[0-9a-f]{16}$/ : /^[0-9a-f]{32}$/);
    assert.ok(!/^0+$/.test(id));
    assert.ok(!seen.has(id), `id ${id} repeated`);
    seen.add(id);
  }
});
