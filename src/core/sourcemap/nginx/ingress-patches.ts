// ingress-nginx builds its nginx with a patch set of its own (images/nginx/rootfs/patches/ at the
// controller's tag; build.sh applies each file in name order, `patch -p1`, or `-p0` for `.txt`).
// The repository is archived, so the sets are final. Each file is pinned by SHA-256; the patched
// tree is made once in the source cache next to the plain one, so "Open Source" lands on the line
// the controller's binary runs.
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage, KubetraceError } from '../../errors';
import { applyFilePatch, parsePatch, targetPath } from './patch';
import type { NginxSourceTree } from './source-tree';

export interface PatchSet {
  nginx: string;
  /** Controller minor series that ship this set. */
  series: string[];
  /** Where the pins were read: the set's git tree at each of those tags. */
  from: string;
  files: [name: string, sha256: string][];
}

// controller-v1.13.0 ... controller-v1.15.1 all hold this same tree (git tree f375c7436dcd); every
// file applies cleanly to the nginx 1.27.1 release with GNU patch.
const SET_1_27_1: PatchSet = {
  nginx: '1.27.1',
  series: ['1.13', '1.14', '1.15'],
  from: 'kubernetes/ingress-nginx images/nginx/rootfs/patches at controller-v1.13.0 .. v1.15.1 (git tree f375c7436dcd)',
  files: [
    ['00_drop-alias-root.patch', '41b1f1520eac2ebe57e146839354ec137d93f9c83e2d7c88b7d149eff9d90d9b'],
    ['01_nginx-1.27.1-win32_max_err_str.patch', '04c15411f9d66f33accd9c9edd14fe02facd4ed671ed3a4ec6e7b9c6680850e4'],
    [
      '02_nginx-1.27.1-stream_balancer_export.patch',
      '6492a6c2eadeea4f7731efedff5920804e25bfcc033744e72aa3e96f294e658d',
    ],
    [
      '03_nginx-1.27.1-stream_proxy_get_next_upstream_tries.patch',
      '00f5a57d3784592f99d2340bf42f31923f31ff107275c213aadaf854ca066be9',
    ],
    [
      '04_nginx-1.27.1-stream_proxy_timeout_fields.patch',
      '6cfe6a6d50eed61e7362a9d07b8a84987fe2aa204e19c35f9f5b3232ee6eb200',
    ],
    [
      '05_nginx-1.27.1-stream_ssl_preread_no_skip.patch',
      '205db7547778025625c7844a813f2aaeefdb1ab6a2d86b1920cb60778cbcbfc5',
    ],
    ['06_nginx-1.27.1-resolver_conf_parsing.patch', 'bda9db7d2766b20c9490f1ccd6d2da72fee402ade219efb32fe341851dbdd7c8'],
    ['07_nginx-1.27.1-daemon_destroy_pool.patch', 'aeb6af61c4fd7425ea0089713c3ca106500dc89ef7dc8f09022675158bc775c6'],
    [
      '08_nginx-1.27.1-init_cycle_pool_release.patch',
      'e5ff4da01c3f2b1399e86002e6b4f2b3a2654b857f08071f91ddc90e812750e9',
    ],
    ['09_nginx-1.27.1-balancer_status_code.patch', '42251d844f377f86b88a66011946e5ff7107c1833d107235546ad0b68ab3af6b'],
    ['10_nginx-1.27.1-delayed_posted_events.patch', '243ed36b8c2d04450483b5c8fa8997370e4086e28ffc1459285fcd20414702df'],
    [
      '11_nginx-1.27.1-privileged_agent_process.patch',
      '099d5c0726708706ae90586fc8c319b751df827df3d5ee5603fb77335c957d55',
    ],
    [
      '12_nginx-1.27.1-privileged_agent_process_connections.patch',
      'fb91b94228fa2562cb2a12be7636bfebd800eb9f9c29b999f2ec0dbf48f5f898',
    ],
    [
      '13_nginx-1.27.1-privileged_agent_process_thread_pool.patch',
      '1bd0817a8436d2ba3bc64ae405d06a5b616dcd273f2e8b88e55c032d69aab1a1',
    ],
    [
      '14_nginx-1.27.1-single_process_graceful_exit.patch',
      '90622f1edaae53a0e7f13cc22b597031c996d8c7df59b73d90fb0150725bb3d2',
    ],
    ['15_nginx-1.27.1-intercept_error_log.patch', '30e2222ff2e5c60ff6ca4eb8f13f3a9c22c4df829002bf7bf63e9fa6cfa400ea'],
    ['16_nginx-1.27.1-upstream_pipelining.patch', 'f147c9724a0ad33084a3cb51acdafbd4dbd2c40ba5840af1684b7b9595b24ae2'],
    ['17_nginx-1.27.1-no_error_pages.patch', '2a83b90e2d57cfdcf338a18a06e589ef1113c6d860ea7975c6f6625a01f8f421'],
    ['18_nginx-1.27.1-no_Werror.patch', 'ecd8d7f18c9c6499cdeaaa14e3bd134e4ca46c806415b9fac9df678658ae1b95'],
    ['19_nginx-1.27.1-log_escape_non_ascii.patch', '7f912ceef27ca108acbe76e05e9f22277af959cbd726c85db862874cafafaaa5'],
    ['20_nginx-1.27.1-proxy_host_port_vars.patch', '8ae3e489ed9a92cff272942a4e4e00d1896ec5632a09680e780a72bc546e37cc'],
    ['21_nginx-1.27.1-cache_manager_exit.patch', 'd02854ec01101563e34f1997508b09750e258dc63613b0e0f352505cfaa103fd'],
    ['22_nginx-1.27.1-larger_max_error_str.patch', 'a8548e699899340195c2af97f315cae32438e729ab8cff50bc1562e1b6039d66'],
    ['23_nginx-1.27.1-pcre_conf_opt.patch', '743f55664ab844af6cb0ce1751e6d318fe7804007dc13fe6405a4463a5ff81e2'],
    [
      '24_nginx-1.27.1-always_enable_cc_feature_tests.patch',
      'fdb1f2dd9b968a6cd810f64cc9da97c9d09b62f6fb6a405fa5ba99331aa3c15e',
    ],
    ['25_nginx-1.27.1-ssl_cert_cb_yield.patch', '661bdbaa52cf4159c91ebf30095e38d0a0824757a71f036f5fbf27f6d37f475e'],
    ['26_nginx-1.27.1-ssl_sess_cb_yield.patch', '30baa61b13a359c029d5904efa45bb924591d7cd66f0093a1510d386fbed2148'],
    [
      '27_nginx-1.27.1-ssl_client_hello_cb_yield.patch',
      '9a41cd393bf8bf7e5ddf3dd33a25f2bf1e7b1a1b8b739da4c14d91b4e10a5c15',
    ],
    ['28_nginx-1.27.1-CVE-2025-23419.patch', '082da58c33970d9b3382cedb5eb99c039bc81e4da28cc5a092219195f4ac5cd5'],
    [
      '29_nginx-1.27.1-upstream_timeout_fields.patch',
      'c5773f5098396d426b8bc7a30077b5ae306930daa65032b188efb5626eb94b76',
    ],
    [
      '30_nginx-1.27.1-safe_resolver_ipv6_option.patch',
      '7906bd4d03344c0da10c4977bea395b6bd1c99db3b8c7ebc3d99eb527553ee70',
    ],
    ['31_nginx-1.27.1-socket_cloexec.patch', '6b22ad9027f08ce5dfb577b222dd0495405e638616369cfd1f4d2f4b5fd44e61'],
    [
      '32_nginx-1.27.1-reuseport_close_unused_fds.patch',
      '7f1c3eefcd841502515f529e3a0c0a17492e7e44ba5c47fc50ae6a3123d8937f',
    ],
    ['33_nginx-1.27.1-proc_exit_handler.patch', 'f4b90cf10ffbb58083f607b0a1d49d474f26f224e1d02000f64d7386e3978c1c'],
    [
      '34_nginx-1.27.1-stream_proxy_protocol_v2.patch',
      'f301311859caf96c086c0fd8ea5d277043609b0ab891274ffd3096c43ffad7aa',
    ],
  ],
};

export const INGRESS_NGINX_PATCH_SETS: readonly PatchSet[] = [SET_1_27_1];

export const DEFAULT_PATCH_BASE = 'https://raw.githubusercontent.com/kubernetes/ingress-nginx/';
const STAMP = '.kubetrace-patched';

/** The patch set an ingress-nginx release applies to `nginx`, if Kubetrace knows it. */
export function patchSetFor(release: string | undefined, nginx: string | undefined): PatchSet | undefined {
  const m = release ? /^v?(\d+)\.(\d+)\.\d+/.exec(release) : null;
  if (!m || !nginx) return undefined;
  return INGRESS_NGINX_PATCH_SETS.find((s) => s.nginx === nginx && s.series.includes(`${m[1]}.${m[2]}`));
}

/** How spans name the tree: `nginx-1.27.1 + ingress-nginx v1.13.0 patches`. */
export function patchedTreeLabel(nginx: string, release: string): string {
  return `nginx-${nginx} + ingress-nginx v${release.replace(/^v/, '')} patches`;
}

export interface PatchedTree extends NginxSourceTree {
  version: string;
  label: string;
}
export interface PatchOptions {
  cacheDir: string;
  baseUrl?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * The plain tree with the release's patch set applied, made once under `cacheDir`. The patch files
 * are downloaded from the release's tag (kept next to the tree) and checked against the pins.
 */
export async function ensurePatchedTree(
  base: NginxSourceTree & { version: string },
  release: string,
  o: PatchOptions,
  set = patchSetFor(release, base.version),
): Promise<PatchedTree> {
  const rel = release.replace(/^v/, '');
  if (!set) throw new KubetraceError(`Kubetrace knows no ingress-nginx v${rel} patch set for nginx ${base.version}`);
  const label = patchedTreeLabel(base.version, rel);
  const root = join(o.cacheDir, `nginx-${base.version}+ingress-nginx-v${rel}-patches`);
  if (await exists(join(root, STAMP))) return { root, version: base.version, label };
  const texts = await patchFiles(set, rel, o);
  const tmp = join(o.cacheDir, `.tmp-patched-${randomBytes(4).toString('hex')}`);
  try {
    await cp(base.root, tmp, { recursive: true });
    for (const [name] of set.files) await applyPatchFile(tmp, name, texts.get(name)!);
    await writeFile(join(tmp, STAMP), `${label}\nfrom: ${set.from}\n`);
    await rm(root, { recursive: true, force: true });
    await rename(tmp, root);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { root, version: base.version, label };
}

async function patchFiles(set: PatchSet, rel: string, o: PatchOptions): Promise<Map<string, string>> {
  const dir = join(o.cacheDir, `ingress-nginx-v${rel}-patches`);
  await mkdir(dir, { recursive: true });
  const out = new Map<string, string>();
  const base = o.baseUrl || DEFAULT_PATCH_BASE;
  for (const [name, pin] of set.files) {
    const file = join(dir, name);
    let body = (await exists(file)) ? await readFile(file) : undefined;
    if (!body || sha256(body) !== pin) {
      const url = new URL(
        `controller-v${rel}/images/nginx/rootfs/patches/${name}`,
        base.endsWith('/') ? base : `${base}/`,
      );
      let res: Response;
      try {
        res = await (o.fetch ?? fetch)(url, { signal: o.signal, redirect: 'follow' });
      } catch (e) {
        throw new KubetraceError(
          `cannot download ${url}: ${errorMessage(e)}`,
          'check the network, or set kubetrace.nginx.sourcePath',
        );
      }
      if (!res.ok) throw new KubetraceError(`cannot download ${url}: HTTP ${res.status}`);
      body = Buffer.from(await res.arrayBuffer());
      const got = sha256(body);
      if (got !== pin) {
        throw new KubetraceError(`SHA-256 mismatch for ingress-nginx patch ${name}: got ${got}, expected ${pin}`);
      }
      await writeFile(file, body);
    }
    out.set(name, body.toString('latin1'));
  }
  return out;
}

/** Applies one patch file to the tree at `root` (in place); an error names the patch and the hunk. */
export async function applyPatchFile(root: string, name: string, text: string): Promise<void> {
  const strip = name.endsWith('.txt') ? 0 : 1;
  const files = parsePatch(text, name);
  if (!files.length) throw new KubetraceError(`ingress-nginx patch ${name} holds no file changes`);
  // Read and patch every file first, write after: a failing hunk leaves the tree as it was. A file
  // can appear more than once in one patch; later parts apply on top of earlier ones.
  const writes = new Map<string, string | undefined>();
  for (const fp of files) {
    const rel = targetPath(fp, strip);
    if (rel.split('/').includes('..'))
      throw new KubetraceError(`ingress-nginx patch ${name} writes outside the tree: ${rel}`);
    const full = join(root, rel);
    const before = writes.has(full)
      ? writes.get(full)
      : (await exists(full))
        ? await readFile(full, 'latin1')
        : undefined;
    writes.set(full, applyFilePatch(before, fp, `ingress-nginx patch ${name}, ${rel}`).text);
  }
  for (const [full, after] of writes) {
    if (after === undefined) await rm(full, { force: true });
    else {
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, after, 'latin1');
    }
  }
}
