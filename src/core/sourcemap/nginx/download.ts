// The nginx source cache: the release tarball `nginx-<v>.tar.gz`, downloaded once from
// `downloadBaseUrl` into `cacheDir`, verified against the pinned SHA-256 table, and extracted with
// our own tar reader to `cacheDir/nginx-<v>/`.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubetraceError } from '../../errors';
import { NGINX_SHA256 } from './checksums';
import { extractTarGz } from './tar';
import { forgetTree, type NginxSourceTree } from './source-tree';
import { forgetFunctionMemo } from './functions';
import { forgetSpanMemo } from './span';

export interface NginxDownloadProgress {
  phase: 'download' | 'verify' | 'extract';
  received?: number;
  total?: number;
  message: string;
}
export interface NginxSourceCacheOptions {
  cacheDir: string;
  downloadBaseUrl?: string;
  fetch?: typeof fetch;
  onProgress?: (p: NginxDownloadProgress) => void;
}
/** A tree from the cache; `warning` is set when the tarball could not be verified. */
export interface CachedNginxSourceTree extends NginxSourceTree {
  version: string;
  tarball: string;
  warning?: string;
}

export const DEFAULT_NGINX_DOWNLOAD_BASE = 'https://nginx.org/download/';
const STAMP = '.kubetrace-extracted';
const VERSION = /^\d+\.\d+\.\d+$/;

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

export class NginxSourceCache {
  private readonly inflight = new Map<string, Promise<CachedNginxSourceTree>>();
  constructor(private readonly opts: NginxSourceCacheOptions) {}

  /** The extracted tree for `version`, downloading and extracting it first when needed. */
  ensure(version: string, signal?: AbortSignal): Promise<CachedNginxSourceTree> {
    if (!VERSION.test(version)) return Promise.reject(new KubetraceError(`not an nginx version: "${version}"`));
    let p = this.inflight.get(version);
    if (!p) {
      p = this.ensureOnce(version, signal).finally(() => this.inflight.delete(version));
      this.inflight.set(version, p);
    }
    return p;
  }

  /** The tree when it is already in the cache; never downloads. */
  async cached(version: string): Promise<CachedNginxSourceTree | undefined> {
    const root = join(this.opts.cacheDir, `nginx-${version}`);
    if (!VERSION.test(version) || !(await exists(join(root, STAMP)))) return undefined;
    const stamp = await readFile(join(root, STAMP), 'utf8').catch(() => '');
    const warning = /^warning: (.*)$/m.exec(stamp)?.[1];
    return { root, version, tarball: this.tarballPath(version), ...(warning ? { warning } : {}) };
  }

  private tarballPath(version: string): string {
    return join(this.opts.cacheDir, `nginx-${version}.tar.gz`);
  }

  private progress(p: NginxDownloadProgress): void {
    try {
      this.opts.onProgress?.(p);
    } catch {
      /* a failing progress sink must not break the download */
    }
  }

  private async ensureOnce(version: string, signal?: AbortSignal): Promise<CachedNginxSourceTree> {
    const hit = await this.cached(version);
    if (hit) return hit;
    await mkdir(this.opts.cacheDir, { recursive: true });
    const tarball = this.tarballPath(version);
    const pinned = NGINX_SHA256[version];
    let sha = (await exists(tarball)) ? await sha256File(tarball) : undefined;
    if (sha && pinned && sha !== pinned) {
      await rm(tarball, { force: true });
      sha = undefined;
    }
    if (!sha) sha = await this.download(version, tarball, signal);

    this.progress({ phase: 'verify', message: `verifying nginx-${version}.tar.gz` });
    let warning: string | undefined;
    if (pinned) {
      if (sha !== pinned) {
        await rm(tarball, { force: true });
        throw new KubetraceError(
          `SHA-256 mismatch for nginx-${version}.tar.gz: got ${sha}, expected ${pinned}; the file was removed`,
          'check kubetrace.nginx.downloadBaseUrl; a mirror may serve a different or damaged file',
        );
      }
    } else {
      warning = `unknown version: not verified (nginx ${version} has no pinned SHA-256; got ${sha})`;
      this.progress({ phase: 'verify', message: warning });
    }

    const root = join(this.opts.cacheDir, `nginx-${version}`);
    const tmp = join(this.opts.cacheDir, `.tmp-nginx-${version}-${randomBytes(4).toString('hex')}`);
    this.progress({ phase: 'extract', message: `extracting nginx-${version}.tar.gz` });
    try {
      const r = await extractTarGz(createReadStream(tarball), tmp, { strip: 1 });
      if (!(await exists(join(tmp, 'src', 'http', 'ngx_http_request.c')))) {
        throw new KubetraceError(`nginx-${version}.tar.gz does not hold nginx source (src/http is missing)`);
      }
      await writeFile(join(tmp, STAMP), `nginx ${version}\nsha256: ${sha}\n${warning ? `warning: ${warning}\n` : ''}`);
      await rm(root, { recursive: true, force: true });
      await rename(tmp, root);
      forgetTree(root);
      forgetFunctionMemo();
      forgetSpanMemo();
      this.progress({ phase: 'extract', message: `nginx ${version} source ready (${r.files} files)` });
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
    return { root, version, tarball, ...(warning ? { warning } : {}) };
  }

  private async download(version: string, tarball: string, signal?: AbortSignal): Promise<string> {
    const base = this.opts.downloadBaseUrl || DEFAULT_NGINX_DOWNLOAD_BASE;
    const url = new URL(`nginx-${version}.tar.gz`, base.endsWith('/') ? base : `${base}/`).toString();
    const doFetch = this.opts.fetch ?? fetch;
    this.progress({ phase: 'download', received: 0, message: `downloading ${url}` });
    let res: Response;
    try {
      res = await doFetch(url, { signal, redirect: 'follow' });
    } catch (e) {
      if (signal?.aborted) throw new KubetraceError(`download of ${url} was cancelled`);
      throw new KubetraceError(
        `cannot download ${url}: ${(e as Error).message}`,
        'check the network, or set kubetrace.nginx.sourcePath to a local nginx source tree',
      );
    }
    if (!res.ok || !res.body) {
      throw new KubetraceError(
        `cannot download ${url}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`,
        res.status === 404 ? `nginx ${version} is not published at ${base}` : 'check kubetrace.nginx.downloadBaseUrl',
      );
    }
    const total = Number(res.headers.get('content-length')) || undefined;
    const part = `${tarball}.${randomBytes(4).toString('hex')}.part`;
    const hash = createHash('sha256');
    const out = createWriteStream(part);
    let received = 0;
    let lastReport = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        received += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
        if (received - lastReport >= 64 * 1024 || received === total) {
          lastReport = received;
          this.progress({ phase: 'download', received, total, message: `downloading nginx-${version}.tar.gz` });
        }
      }
      await new Promise<void>((ok, bad) => out.end((e?: Error | null) => (e ? bad(e) : ok())));
      if (total !== undefined && received !== total) {
        throw new KubetraceError(`download of ${url} stopped early (${received} of ${total} bytes)`);
      }
      await rename(part, tarball);
    } catch (e) {
      out.destroy();
      await rm(part, { force: true });
      if (signal?.aborted) throw new KubetraceError(`download of ${url} was cancelled`);
      throw e instanceof KubetraceError ? e : new KubetraceError(`download of ${url} failed: ${(e as Error).message}`);
    }
    return hash.digest('hex');
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
