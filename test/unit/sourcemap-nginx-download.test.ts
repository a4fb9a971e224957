import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { NginxSourceCache, findNginxSourceTree, type NginxDownloadProgress } from '../../src/core/sourcemap/nginx';
import { extractTarGz } from '../../src/core/sourcemap/nginx/tar';
import { nginxTarball, nginxTree } from '../fixtures/nginx-debug/source';

const tmp = mkdtempSync(join(tmpdir(), 'kubetrace-nginx-dl-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// A real HTTP server on loopback that serves files by path, and counts requests.
async function serve(
  files: Record<string, Buffer>,
  opts: { slow?: boolean } = {},
): Promise<{ base: string; hits: string[]; server: Server }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    if (!opts.slow) {
      res.end(body);
      return;
    }
    res.write(body.subarray(0, 200_000)); // then stall: the client is expected to abort
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const port = (server.address() as { port: number }).port;
  return { base: `http://127.0.0.1:${port}/download/`, hits, server };
}

function walk(dir: string, out: string[] = [], root = dir): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out, root);
    else if (!e.name.startsWith('.kubetrace')) out.push(relative(root, p));
  }
  return out.sort();
}
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('downloads the release tarball once, with progress, verifies it and extracts it like tar does', async () => {
  const tarball = readFileSync(nginxTarball());
  const { base, hits } = await serve({ '/download/nginx-1.22.1.tar.gz': tarball });
  const events: NginxDownloadProgress[] = [];
  const cache = new NginxSourceCache({
    cacheDir: join(tmp, 'ok'),
    downloadBaseUrl: base,
    onProgress: (p) => events.push(p),
  });
  const tree = await cache.ensure('1.22.1');
  assert.equal(tree.version, '1.22.1');
  assert.equal(tree.warning, undefined);
  assert.equal(hits.length, 1);
  const downloads = events.filter((e) => e.phase === 'download' && e.received !== undefined);
  assert.ok(downloads.length >= 3, `${downloads.length} download events`);
  for (let i = 1; i < downloads.length; i++) assert.ok(downloads[i].received! >= downloads[i - 1].received!);
  assert.equal(downloads.at(-1)!.received, tarball.length);
  assert.equal(downloads.at(-1)!.total, tarball.length);
  assert.ok(events.some((e) => e.phase === 'verify'));
  assert.ok(events.some((e) => e.phase === 'extract'));
  // Same files, same bytes as the system tar gave the fetch script.
  const reference = nginxTree().root;
  const got = walk(tree.root);
  assert.deepEqual(got, walk(reference));
  for (const f of got) assert.equal(sha(join(tree.root, f)), sha(join(reference, f)), f);
  assert.ok(statSync(join(tree.root, 'configure')).mode & 0o100, 'executable bits survive');
  // Second time: from the cache, no request.
  const again = await new NginxSourceCache({ cacheDir: join(tmp, 'ok'), downloadBaseUrl: base }).ensure('1.22.1');
  assert.equal(again.root, tree.root);
  assert.equal(hits.length, 1);
  assert.equal((await findNginxSourceTree([join(tmp, 'nowhere'), join(tmp, 'ok')], '1.22.1'))?.root, tree.root);
});

test('a tarball whose SHA-256 differs from the pinned one is refused and removed', async () => {
  const bad = Buffer.from(readFileSync(nginxTarball()));
  bad[bad.length - 100] ^= 0xff;
  const { base } = await serve({ '/download/nginx-1.22.1.tar.gz': bad });
  const dir = join(tmp, 'bad');
  await assert.rejects(
    new NginxSourceCache({ cacheDir: dir, downloadBaseUrl: base }).ensure('1.22.1'),
    /SHA-256 mismatch for nginx-1\.22\.1\.tar\.gz/,
  );
  assert.ok(!existsSync(join(dir, 'nginx-1.22.1')));
  assert.ok(!existsSync(join(dir, 'nginx-1.22.1.tar.gz')));
});

test('404 gives a clear error', async () => {
  const { base } = await serve({});
  await assert.rejects(
    new NginxSourceCache({ cacheDir: join(tmp, 'missing'), downloadBaseUrl: base }).ensure('1.22.1'),
    (e: Error & { hint?: string }) =>
      /cannot download http:\/\/127\.0\.0\.1:\d+\/download\/nginx-1\.22\.1\.tar\.gz: HTTP 404/.test(e.message) &&
      /not published/.test(e.hint ?? ''),
  );
});

test('a version with no pinned checksum downloads with a warning', async () => {
  const { base } = await serve({ '/download/nginx-1.99.0.tar.gz': readFileSync(nginxTarball()) });
  const events: NginxDownloadProgress[] = [];
  const tree = await new NginxSourceCache({
    cacheDir: join(tmp, 'unknown'),
    downloadBaseUrl: base,
    onProgress: (p) => events.push(p),
  }).ensure('1.99.0');
  assert.match(tree.warning ?? '', /^unknown version: not verified/);
  assert.ok(events.some((e) => /unknown version: not verified/.test(e.message)));
  assert.ok(existsSync(join(tree.root, 'src', 'http', 'ngx_http_request.c')));
  const cached = await new NginxSourceCache({ cacheDir: join(tmp, 'unknown') }).cached('1.99.0');
  assert.match(cached?.warning ?? '', /not verified/, 'the warning is remembered');
  await assert.rejects(new NginxSourceCache({ cacheDir: tmp }).ensure('../../etc'), /not an nginx version/);
});

test('an aborted download stops and leaves nothing behind', async () => {
  const { base } = await serve({ '/download/nginx-1.22.1.tar.gz': readFileSync(nginxTarball()) }, { slow: true });
  const ac = new AbortController();
  const dir = join(tmp, 'abort');
  const p = new NginxSourceCache({
    cacheDir: dir,
    downloadBaseUrl: base,
    onProgress: (e) => {
      if ((e.received ?? 0) > 0) ac.abort();
    },
  }).ensure('1.22.1', ac.signal);
  await assert.rejects(p, /cancelled/);
  assert.deepEqual(
    readdirSync(dir).filter((f) => !f.startsWith('.')),
    [],
  );
});

// A minimal ustar writer, to make archives the real tarball cannot contain.
function tarOf(entries: { name: string; body?: string; type?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write(e.type ?? '0', 156);
    h.write('ustar\0' + '00', 257);
    h.fill(' ', 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

test('tar entries that would leave the destination stop extraction', async () => {
  for (const name of ['nginx-1/../../evil.txt', '../evil.txt', '/tmp/evil.txt', 'nginx-1/a/../../../evil.txt']) {
    const dest = join(tmp, 'x', 'dest');
    await assert.rejects(
      extractTarGz(
        Readable.from([
          tarOf([
            { name: 'nginx-1/ok.txt', body: 'ok' },
            { name, body: 'evil' },
          ]),
        ]),
        dest,
        { strip: 1 },
      ),
      /refusing entry/,
      name,
    );
    assert.ok(!existsSync(join(tmp, 'x', 'evil.txt')) && !existsSync(join(tmp, 'evil.txt')), name);
    rmSync(join(tmp, 'x'), { recursive: true, force: true });
  }
  const dest = join(tmp, 'y');
  const r = await extractTarGz(
    Readable.from([
      tarOf([
        { name: 'top/', type: '5' },
        { name: 'top/a/b.txt', body: 'hello' },
        { name: 'top/link', type: '2' },
      ]),
    ]),
    dest,
    { strip: 1 },
  );
  assert.deepEqual(r, { files: 1, dirs: 0, skipped: ['top/link'] });
  assert.equal(readFileSync(join(dest, 'a', 'b.txt'), 'utf8'), 'hello');
  await assert.rejects(
    extractTarGz(Readable.from([gzipSync(Buffer.from('not a tar file at all'.repeat(40)))]), join(tmp, 'z')),
    /tar: /,
  );
  await assert.rejects(extractTarGz(Readable.from([Buffer.from('not gzip')]), join(tmp, 'z2')), /cannot extract/);
});
