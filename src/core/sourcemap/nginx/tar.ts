// A small tar reader over a gunzip stream: ustar, pax (`x`/`g`) and GNU long names. Regular files
// and directories are written; links are skipped (nginx release tarballs have none). Any entry
// whose path would leave the destination stops extraction with an error.
import { createGunzip } from 'node:zlib';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { KubetraceError } from '../../errors';

export interface TarEntry {
  path: string;
  type: 'file' | 'dir' | 'other';
  size: number;
  mode: number;
}
export interface ExtractResult {
  files: number;
  dirs: number;
  skipped: string[];
}

const BLOCK = 512;

function str(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const z = s.indexOf(0);
  return (z >= 0 ? s.subarray(0, z) : s).toString('utf8');
}

function octal(b: Buffer, start: number, len: number): number {
  if (b[start] & 0x80) {
    // GNU base-256 for large sizes
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + b[i];
    return n;
  }
  const t = str(b, start, len).trim();
  if (t === '') return 0;
  if (!/^[0-7]+$/.test(t)) throw new KubetraceError(`tar: bad number field "${t}"`);
  return parseInt(t, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === octal(h, 148, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = parseInt(data.subarray(i, sp).toString('ascii'), 10);
    if (!(len > 0) || i + len > data.length) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Caps: the tarball comes from a download chosen by the probed server's `Server` header, so it is not trusted. */
export interface TarLimits {
  /** Largest entry (nginx's largest source file is well under 1 MB). */
  maxEntryBytes: number;
  /** All entries together (nginx's whole tree is about 6 MB). */
  maxTotalBytes: number;
}
export const TAR_LIMITS: TarLimits = { maxEntryBytes: 16 << 20, maxTotalBytes: 256 << 20 };

/** Entries of a tar stream (already gunzipped), with each file's data. */
export async function* readTar(
  stream: AsyncIterable<Buffer>,
  limits: TarLimits = TAR_LIMITS,
): AsyncGenerator<{ entry: TarEntry; data: Buffer }> {
  // The chunks as they came: joined once per read, never once per chunk (a 64 MB entry in 16 KB chunks would
  // otherwise copy the growing buffer thousands of times).
  const chunks: Buffer[] = [];
  let buffered = 0;
  let total = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let zeros = 0;
  const it = stream[Symbol.asyncIterator]();
  let done = false;
  const need = async (n: number): Promise<boolean> => {
    while (buffered < n && !done) {
      const r = await it.next();
      if (r.done) done = true;
      else if (r.value.length) {
        chunks.push(r.value);
        buffered += r.value.length;
      }
    }
    return buffered >= n;
  };
  /** The next n bytes (n <= buffered), as one Buffer of their own. */
  const take = (n: number): Buffer => {
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = chunks[0];
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) chunks.shift();
      else chunks[0] = c.subarray(k);
    }
    buffered -= n;
    return out;
  };
  for (;;) {
    if (!(await need(BLOCK))) {
      if (buffered === 0) return; // end markers are optional in practice (GNU tar accepts their absence)
      throw new KubetraceError('tar: the archive ends in the middle of an entry');
    }
    const h = take(BLOCK);
    if (h.every((x) => x === 0)) {
      if (++zeros >= 2) return;
      continue;
    }
    zeros = 0;
    if (!checksumOk(h)) throw new KubetraceError('tar: header checksum mismatch (not a tar file, or corrupt)');
    const size = octal(h, 124, 12);
    if (size > limits.maxEntryBytes)
      throw new KubetraceError(
        `tar: an entry of ${size} bytes is over the ${limits.maxEntryBytes}-byte limit (not an nginx source archive)`,
      );
    total += size;
    if (total > limits.maxTotalBytes)
      throw new KubetraceError(
        `tar: the archive holds more than ${limits.maxTotalBytes} bytes (not an nginx source archive)`,
      );
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (!(await need(padded))) throw new KubetraceError('tar: the archive ends in the middle of an entry');
    const block = take(padded);
    const data = block.subarray(0, size);
    const type = String.fromCharCode(h[156] || 0x30);
    if (type === 'x') {
      pax = parsePax(data);
      continue;
    }
    if (type === 'g') continue;
    if (type === 'L') {
      longName = str(data, 0, data.length);
      continue;
    }
    const isUstar = str(h, 257, 6).startsWith('ustar');
    const prefix = isUstar ? str(h, 345, 155) : '';
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    pax = {};
    longName = undefined;
    const kind = type === '0' || type === '7' ? 'file' : type === '5' ? 'dir' : 'other';
    yield { entry: { path: name, type: kind, size, mode: octal(h, 100, 8) }, data };
  }
}

/** The destination path for an archive entry, or an error when it would escape `dest`. */
export function safeEntryPath(dest: string, name: string, strip: number): string | undefined {
  if (name.includes('\0') || isAbsolute(name) || /^[A-Za-z]:/.test(name) || name.includes('\\')) {
    throw new KubetraceError(`tar: refusing entry "${name}": absolute or unusual path`);
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new KubetraceError(`tar: refusing entry "${name}": it leaves the destination`);
  const rest = parts.slice(strip);
  if (!rest.length) return undefined;
  const root = resolve(dest);
  const full = resolve(root, ...rest);
  if (!full.startsWith(root + sep))
    throw new KubetraceError(`tar: refusing entry "${name}": it leaves the destination`);
  return full;
}

/** Extracts a .tar.gz stream into `dest`, dropping the first `strip` path components. */
export async function extractTarGz(
  input: Readable,
  dest: string,
  opts: { strip?: number; limits?: TarLimits } = {},
): Promise<ExtractResult> {
  // The folder first: a gzip error emitted while we awaited it would have no listener yet and crash the process.
  await mkdir(dest, { recursive: true });
  const gunzip = createGunzip();
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  const result: ExtractResult = { files: 0, dirs: 0, skipped: [] };
  const made = new Set<string>();
  const ensureDir = async (d: string) => {
    if (!made.has(d)) {
      await mkdir(d, { recursive: true });
      made.add(d);
    }
  };
  try {
    for await (const { entry, data } of readTar(gunzip, opts.limits)) {
      const full = safeEntryPath(dest, entry.path, opts.strip ?? 0);
      if (!full) continue;
      if (entry.type === 'dir') {
        await ensureDir(full);
        result.dirs++;
        continue;
      }
      if (entry.type !== 'file') {
        result.skipped.push(entry.path);
        continue;
      }
      await ensureDir(dirname(full));
      await writeFile(full, data, { mode: (entry.mode & 0o755) | 0o600 });
      result.files++;
    }
  } catch (e) {
    input.unpipe(gunzip);
    gunzip.destroy();
    if (e instanceof KubetraceError) throw e;
    throw new KubetraceError(`cannot extract the nginx source: ${(e as Error).message}`);
  }
  return result;
}
