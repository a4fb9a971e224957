// ingress-nginx's patches: the unified-diff applier against GNU patch on Debian's real nginx trees,
// the patched tree in the source cache (pinned downloads), and a phase function opened at its patched line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { resolveSources } from '../../src/core/sourcemap';
import { nginxSourceForSpan } from '../../src/core/sourcemap/nginx';
import {
  applyPatchFile,
  ensurePatchedTree,
  INGRESS_NGINX_PATCH_SETS,
  patchSetFor,
  patchedTreeLabel,
  type PatchSet,
} from '../../src/core/sourcemap/nginx/ingress-patches';
import { applyFilePatch, parsePatch } from '../../src/core/sourcemap/nginx/patch';
import type { Span, Trace } from '../../src/core/trace/model';
import { grepDefinition, nginxTreeOf } from '../fixtures/nginx-debug/source';

const FIX = join(__dirname, '..', 'fixtures', 'ingress-nginx-patches');
const PATCHES = readdirSync(FIX)
  .filter((n) => n.endsWith('.patch'))
  .sort();
const text = (n: string) => readFileSync(join(FIX, n), 'latin1');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const SET = INGRESS_NGINX_PATCH_SETS[0];

function copyTree(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kt-patch-'));
  cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
  return dir;
}

test('the fixtures are files of the pinned ingress-nginx v1.13 set, and the set is chosen by release', () => {
  assert.equal(PATCHES.length, 6);
  for (const n of PATCHES) {
    const pin = SET.files.find(([name]) => name === n)?.[1];
    assert.equal(sha(readFileSync(join(FIX, n))), pin, n);
  }
  assert.equal(SET.files.length, 35);
  assert.equal(patchSetFor('1.13.0', '1.27.1'), SET);
  assert.equal(patchSetFor('v1.15.1', '1.27.1'), SET);
  assert.equal(patchSetFor('1.12.3', '1.25.5'), undefined, 'no set is known for the 1.25 series');
  assert.equal(patchSetFor('1.13.0', '1.26.3'), undefined, 'a set applies only to its own nginx');
  assert.equal(patchedTreeLabel('1.27.1', 'v1.13.0'), 'nginx-1.27.1 + ingress-nginx v1.13.0 patches');
});

for (const version of ['1.22.1', '1.26.3']) {
  test(`nginx ${version}: each real patch applies exactly as GNU patch applies it`, async (t) => {
    const { tree, missing } = nginxTreeOf(version);
    if (!tree) return t.skip(missing);
    for (const n of PATCHES) {
      const ours = copyTree(tree.root);
      const gnu = copyTree(tree.root);
      try {
        const r = spawnSync('patch', ['-p1', '-s', '--no-backup-if-mismatch', '-d', gnu], { input: text(n) });
        assert.equal(r.status, 0, `GNU patch applies ${n}: ${r.stderr}`);
        await applyPatchFile(ours, n, text(n));
        const d = spawnSync('diff', ['-r', gnu, ours], { encoding: 'utf8' });
        assert.equal(d.status, 0, `${version} ${n}: our tree differs from GNU patch's:\n${d.stdout.slice(0, 2000)}`);
      } finally {
        rmSync(ours, { recursive: true, force: true });
        rmSync(gnu, { recursive: true, force: true });
      }
    }
  });
}

test('a patched phase function is opened at its patched line', async (t) => {
  const { tree, missing } = nginxTreeOf('1.26.3');
  if (!tree) return t.skip(missing);
  const dir = copyTree(tree.root);
  try {
    await applyPatchFile(
      dir,
      '29_nginx-1.27.1-upstream_timeout_fields.patch',
      text('29_nginx-1.27.1-upstream_timeout_fields.patch'),
    );
    const file = 'src/http/ngx_http_upstream.c';
    const plain = grepDefinition(tree.root, file, 'ngx_http_upstream_connect')[0];
    const patched = grepDefinition(dir, file, 'ngx_http_upstream_connect')[0];
    assert.equal(patched - plain, 7, 'the patch adds 7 lines above ngx_http_upstream_connect');
    const span = {
      name: 'upstream.connect',
      origin: 'nginx-log',
      layer: 'ingress',
      kind: 'client',
      attributes: {},
    } as unknown as Span;
    const r = nginxSourceForSpan(span, { root: dir, version: '1.26.3' });
    assert.equal(r.source?.path, join(dir, file));
    assert.equal(r.source?.line, patched);
    assert.equal(nginxSourceForSpan(span, tree).source?.line, plain);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a hunk that fits nowhere is an error naming the patch and hunk, and the tree is left as it was', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-patch-'));
  try {
    cpSync(join(nginxTreeOf('1.22.1').tree!.root, 'src', 'stream'), join(dir, 'src', 'stream'), { recursive: true });
    const before = readFileSync(join(dir, 'src/stream/ngx_stream.h'));
    // The real patch 03, its second file's context replaced by lines that are nowhere in the file.
    const real = text('03_nginx-1.27.1-stream_proxy_get_next_upstream_tries.patch');
    const cut = real.indexOf('@@ -2156');
    const bad = real.slice(0, cut) + real.slice(cut).replace(/^ .*$/gm, ' no such line in nginx');
    await assert.rejects(
      applyPatchFile(dir, '03.patch', bad),
      /03\.patch, src\/stream\/ngx_stream_proxy_module\.c: hunk #1 .* does not apply/,
    );
    assert.deepEqual(
      readFileSync(join(dir, 'src/stream/ngx_stream.h')),
      before,
      'the first file of the patch was not written',
    );
    await assert.rejects(applyPatchFile(dir, 'x.patch', 'no diff here\n'), /holds no file changes/);
    await assert.rejects(
      applyPatchFile(dir, 'y.patch', '--- a/../../etc/x\n+++ b/../../etc/x\n@@ -0,0 +1 @@\n+x\n'),
      /outside the tree/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the patched tree is made once in the cache from pinned downloads, next to the plain tree', async (t) => {
  const { tree, missing } = nginxTreeOf('1.26.3');
  if (!tree) return t.skip(missing);
  const names = ['09_nginx-1.27.1-balancer_status_code.patch', '29_nginx-1.27.1-upstream_timeout_fields.patch'];
  const set: PatchSet = {
    nginx: '1.26.3',
    series: ['9.9'],
    from: 'test',
    files: names.map((n) => [n, sha(readFileSync(join(FIX, n)))]),
  };
  const served: string[] = [];
  let tamper = false;
  const server = createServer((req, res) => {
    served.push(req.url ?? '');
    const n = (req.url ?? '').split('/').pop()!;
    if (!names.includes(n)) return void res.writeHead(404).end();
    res.end(tamper ? text(n) + '\n' : readFileSync(join(FIX, n)));
  });
  await new Promise<void>((r) => server.listen(0, '127.10.140.2', r));
  const base = `http://127.10.140.2:${(server.address() as AddressInfo).port}/`;
  const cache = mkdtempSync(join(tmpdir(), 'kt-cache-'));
  try {
    const base126 = { root: tree.root, version: '1.26.3' };
    const p = await ensurePatchedTree(base126, '9.9.1', { cacheDir: cache, baseUrl: base }, set);
    assert.equal(p.label, 'nginx-1.26.3 + ingress-nginx v9.9.1 patches');
    assert.equal(p.root, join(cache, 'nginx-1.26.3+ingress-nginx-v9.9.1-patches'));
    assert.deepEqual(
      served,
      names.map((n) => `/controller-v9.9.1/images/nginx/rootfs/patches/${n}`),
    );
    const file = 'src/http/ngx_http_upstream.c';
    assert.equal(
      grepDefinition(p.root, file, 'ngx_http_upstream_connect')[0] -
        grepDefinition(tree.root, file, 'ngx_http_upstream_connect')[0],
      7,
    );
    // Made once: the second call downloads nothing and keeps the tree.
    await ensurePatchedTree(base126, '9.9.1', { cacheDir: cache, baseUrl: base }, set);
    assert.equal(served.length, 2);
    // A patch file that is not the pinned one is refused, and no tree is left behind.
    tamper = true;
    await assert.rejects(
      ensurePatchedTree(base126, '9.9.2', { cacheDir: join(cache, 'b'), baseUrl: base }, set),
      /SHA-256 mismatch for ingress-nginx patch 09_/,
    );
    assert.ok(!existsSync(join(cache, 'b', 'nginx-1.26.3+ingress-nginx-v9.9.2-patches')));
  } finally {
    server.close();
    rmSync(cache, { recursive: true, force: true });
  }
});

test('property: a hunk made from a random edit applies back to the edited text, at any offset', () => {
  const line = fc.stringMatching(/^[a-z ]{0,6}$/);
  fc.assert(
    fc.property(
      fc.array(line, { minLength: 8, maxLength: 40 }),
      fc.nat(),
      fc.array(line, { maxLength: 4 }),
      fc.integer({ min: 0, max: 3 }),
      fc.array(line, { maxLength: 5 }),
      (file, pos, added, removedN, shift) => {
        const at = pos % (file.length - 3);
        const ctx = 3;
        const head = file.slice(Math.max(at - ctx, 0), at);
        const removed = file.slice(at, Math.min(at + removedN, file.length));
        const tail = file.slice(at + removed.length, at + removed.length + ctx);
        const body = [
          ...head.map((l) => ` ${l}`),
          ...removed.map((l) => `-${l}`),
          ...added.map((l) => `+${l}`),
          ...tail.map((l) => ` ${l}`),
        ];
        const oldN = head.length + removed.length + tail.length;
        const newN = head.length + added.length + tail.length;
        const start = at - head.length + 1;
        const diff = `--- a/f\n+++ b/f\n@@ -${start},${oldN} +${start},${newN} @@\n${body.join('\n')}\n`;
        const [fp] = parsePatch(diff);
        // Lines put before the file move the hunk; it is found by its context when that is unique.
        // (A hunk with short leading context is anchored at the start, as in GNU patch: nothing goes before it.)
        if (head.length < ctx) shift = [];
        const moved = [...shift.map((l) => `#${l}`), ...file];
        const got = applyFilePatch(moved.join('\n') + '\n', fp, 'f');
        const expect = [
          ...shift.map((l) => `#${l}`),
          ...file.slice(0, at),
          ...added,
          ...file.slice(at + removed.length),
        ];
        const hunkText = [...head, ...removed, ...tail].join('\n');
        const unique = moved.join('\n').split(hunkText).length === 2;
        if (unique && oldN > 0) assert.equal(got.text, expect.join('\n') + '\n');
      },
    ),
    { numRuns: 300, verbose: true },
  );
  // Random text never throws anything but a KubetraceError.
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      try {
        parsePatch(`--- a/x\n+++ b/x\n${s}`);
      } catch (e) {
        assert.equal((e as Error).name, 'KubetraceError', String(e));
      }
    }),
    { numRuns: 500 },
  );
});

test('nginx spans mapped in a patched tree say which tree it is; other spans do not', async () => {
  const root = nginxTreeOf('1.22.1').tree!.root;
  const base = { startTimeUnixNano: '1', endTimeUnixNano: '2', status: 'unset', events: [], links: [] };
  const spans = [
    {
      ...base,
      spanId: '01',
      name: 'nginx',
      service: 'ingress-nginx',
      layer: 'ingress',
      kind: 'server',
      origin: 'nginx-log',
      attributes: {},
    },
    {
      ...base,
      spanId: '02',
      name: 'GET /',
      service: 'orders',
      layer: 'app',
      kind: 'server',
      origin: 'otlp',
      attributes: { a: 1 },
    },
  ] as unknown as Span[];
  const trace: Trace = { traceId: 'e'.repeat(32), spans, criticalPath: [], diagnostics: [] };
  const label = 'nginx-1.22.1 + ingress-nginx v9.9.9 patches';
  const out = await resolveSources(trace, {
    workspaceFolders: [],
    allowedRoots: [root],
    nginx: { tree: { root, version: '1.22.1', label } },
  });
  assert.equal(out.spans[0].attributes['kubetrace.nginx.source_tree'], label);
  assert.equal(out.spans[0].source?.function, 'ngx_http_process_request');
  assert.equal(out.spans[1].attributes['kubetrace.nginx.source_tree'], undefined);
  const plain = await resolveSources(trace, {
    workspaceFolders: [],
    allowedRoots: [root],
    nginx: { tree: { root, version: '1.22.1' } },
  });
  assert.equal(plain.spans[0].attributes['kubetrace.nginx.source_tree'], undefined, 'a plain release needs no label');
});
