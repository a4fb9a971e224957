// Path security: every path the source mapper hands out stays inside the allowed roots. Traversal, absolute paths
// elsewhere and symlinks that lead out (real ones, made in a temp dir) are refused with a reason.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { allowedRootsFor, checkAllowed, clearSourcemapCaches, resolveSources } from '../../src/core/sourcemap';
import type { Span, Trace } from '../../src/core/trace/model';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'kt-sec-')));
after(() => rmSync(base, { recursive: true, force: true }));
const ws = join(base, 'ws');
const outside = join(base, 'outside');
mkdirSync(join(ws, 'src'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(ws, 'src', 'handler.js'), 'module.exports = () => 1;\n');
writeFileSync(join(outside, 'secret.js'), 'the secret\n');
symlinkSync(join(outside, 'secret.js'), join(ws, 'src', 'link.js'));
symlinkSync(outside, join(ws, 'linkdir'));
symlinkSync(join(ws, 'src', 'handler.js'), join(ws, 'inside-link.js'));
const roots = [ws];

test('a file inside the root is allowed, with its real path', () => {
  const r = checkAllowed(join(ws, 'src', 'handler.js'), roots);
  assert.deepEqual(r, { ok: true, real: join(ws, 'src', 'handler.js') });
  assert.deepEqual(checkAllowed('src/handler.js', roots), { ok: true, real: join(ws, 'src', 'handler.js') });
  // A symlink that stays inside the root is fine.
  assert.deepEqual(checkAllowed(join(ws, 'inside-link.js'), roots), { ok: true, real: join(ws, 'src', 'handler.js') });
});

const refused = (path: string, why: RegExp) => {
  const r = checkAllowed(path, roots);
  assert.equal(r.ok, false, `${path} must be refused`);
  if (!r.ok) assert.match(r.reason, why, `reason for ${path}: ${r.reason}`);
};

test('traversal and absolute paths elsewhere are refused with a reason', () => {
  refused('/etc/passwd', /outside the allowed folders/);
  refused(join(ws, '..', '..', 'etc', 'passwd'), /outside the allowed folders/);
  refused(`${ws}/src/../../outside/secret.js`, /outside the allowed folders/);
  refused('../../etc/passwd', /escapes .* through "\.\."/);
  refused('src/../../outside/secret.js', /escapes/);
  refused(join(ws, 'src', 'nope.js'), /does not exist/);
  refused(join(ws, 'src'), /not a regular file/);
  refused(`${ws}/src/handler.js\0.png`, /NUL/);
  refused('', /empty/);
  refused('kubetrace-live:/shop/orders.yaml', /read-only view/);
  const none = checkAllowed(join(ws, 'src', 'handler.js'), []);
  assert.equal(none.ok, false);
});

test('symlinks that lead out of the root are refused, file or folder', () => {
  refused(join(ws, 'src', 'link.js'), /symlink that leads outside.*secret\.js/);
  refused(join(ws, 'linkdir', 'secret.js'), /symlink that leads outside/);
  refused('linkdir/secret.js', /symlink that leads outside/);
});

test('allowedRootsFor keeps the four kinds of root, absolute only, without duplicates', () => {
  assert.deepEqual(
    allowedRootsFor({
      workspaceFolders: [ws, ws, 'relative/dir'],
      nginxSourceCache: '/cache/nginx',
      nginxSourcePath: '',
      sandboxConfDir: '/run/kt/nginx',
    }),
    [ws, '/cache/nginx', '/run/kt/nginx'],
  );
});

function span(id: string, attrs: Span['attributes'], events: Span['events'] = []): Span {
  return {
    spanId: id,
    name: 'GET /x',
    service: 'orders',
    layer: 'app',
    kind: 'server',
    startTimeUnixNano: '1',
    endTimeUnixNano: '2',
    status: 'error',
    attributes: attrs,
    events,
    links: [],
    origin: 'otlp',
  };
}

test('the resolver never hands out a path outside the roots, whatever the span says', async () => {
  clearSourcemapCaches();
  const trace: Trace = {
    traceId: 'a'.repeat(32),
    criticalPath: [],
    diagnostics: [],
    spans: [
      span('0000000000000001', { 'code.file.path': '/etc/passwd', 'code.line.number': 1 }),
      span('0000000000000002', { 'code.filepath': '../../etc/passwd', 'code.lineno': 1 }),
      span('0000000000000003', { 'code.file.path': join(ws, 'src', 'link.js'), 'code.line.number': 1 }),
      span('0000000000000004', { 'code.file.path': '/app/src/link.js', 'code.line.number': 1 }),
      span('0000000000000005', { 'code.file.path': '/app/../../../etc/passwd', 'code.line.number': 1 }),
      span('0000000000000006', {}, [
        {
          timeUnixNano: '2',
          name: 'exception',
          attributes: {
            'exception.stacktrace': `Error: x\n    at f (${ws}/linkdir/secret.js:1:1)\n    at g (/etc/passwd:1:1)`,
          },
        },
      ]),
      span('0000000000000007', { 'code.file.path': '/srv/secret.js', 'code.line.number': 1 }),
      span('0000000000000008', { 'code.file.path': '/app/src/handler.js', 'code.line.number': 1 }),
    ],
  };
  const out = await resolveSources(trace, {
    workspaceFolders: [ws],
    allowedRoots: allowedRootsFor({ workspaceFolders: [ws] }),
    pathMappings: { '/app': ws },
  });
  const by = new Map(out.spans.map((s) => [s.spanId, s]));
  for (const s of out.spans) {
    for (const ref of [s.source, ...(s.moreSources ?? [])].filter(Boolean)) {
      assert.ok(checkAllowed(ref!.path, [ws]).ok, `span ${s.spanId} points at ${ref!.path}`);
    }
    assert.ok(s.source || s.sourceReason, `span ${s.spanId} has a source or a reason`);
  }
  for (const id of [
    '0000000000000001',
    '0000000000000002',
    '0000000000000003',
    '0000000000000004',
    '0000000000000005',
    '0000000000000006',
    '0000000000000007',
  ]) {
    assert.equal(by.get(id)!.source, undefined, `span ${id} must have no source`);
  }
  assert.match(by.get('0000000000000003')!.sourceReason!, /symlink that leads outside/);
  assert.match(by.get('0000000000000004')!.sourceReason!, /symlink that leads outside/);
  // The symlinked folder is not followed by the workspace scan, so secret.js is simply not found.
  assert.match(by.get('0000000000000007')!.sourceReason!, /no workspace file matches \/srv\/secret\.js/);
  assert.deepEqual(by.get('0000000000000008')!.source, { kind: 'app', path: join(ws, 'src', 'handler.js'), line: 1 });
});
