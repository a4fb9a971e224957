// How Kubetrace recognises its own sandbox cluster: the context name its kubeconfig writes, and the
// `sandbox.json` it leaves beside the kubeconfig (naming the generated nginx config folder, which becomes a
// jump-to-source root).
//
// A file beside a kubeconfig proves nothing: anyone who can put a kubeconfig in front of Kubetrace can put a
// `sandbox.json` with {"nginxConfDir": "/"} next to it. So the folder it names is believed only when it is the work
// folder of a sandbox this user started (src/sandbox/sandbox.ts): `<tmpdir>/kubetrace-sandbox-XXXXXX/nginx`, made
// by mkdtemp (owned by us, closed to others), holding the CA that sandbox generated, and that CA is the one the
// kubeconfig trusts for its API server.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { errorMessage } from '../errors';
import type { LoadedKubeconfig } from './load';

/** The sandbox skips the consent a real cluster gets, so a context name alone (which anyone can choose) is not
 *  enough: the kubeconfig must also be one a sandbox this user started wrote, proven as for sandbox.json below
 *  (its work folder holds the CA the kubeconfig trusts). */
export const isSandbox = (config: LoadedKubeconfig): boolean =>
  config.contextName.startsWith('kubetrace-sandbox') && sandboxInfo(config)?.nginxConfDir !== undefined;

/** The file a sandbox keeps in its work folder: the CA it generated at start. */
export const SANDBOX_CA_FILE = 'ca.crt';
const WORK_DIR = /^kubetrace-sandbox-[A-Za-z0-9]{6}$/;

export interface SandboxInfo {
  /** The sandbox's generated nginx config folder, when sandbox.json names one that passed the checks. */
  nginxConfDir?: string;
  /** Why a sandbox.json beside the kubeconfig was not believed. */
  refused?: string;
}

/** What sandbox.json beside the kubeconfig says, when it belongs to a sandbox this user started; see above. */
export function sandboxInfo(config?: LoadedKubeconfig): SandboxInfo | undefined {
  const file = config?.files[0];
  if (!file) return undefined;
  const f = join(dirname(file), 'sandbox.json');
  if (!existsSync(f)) return undefined;
  let claimed: unknown;
  try {
    claimed = (JSON.parse(readFileSync(f, 'utf8')) as { nginxConfDir?: unknown })?.nginxConfDir;
  } catch (e) {
    return { refused: `${f} is not valid JSON (${errorMessage(e)})` };
  }
  if (claimed === undefined) return {};
  const why = checkConfDir(claimed, config);
  return why
    ? { refused: `${f} names nginxConfDir ${JSON.stringify(claimed)}, which is not trusted: ${why}` }
    : { nginxConfDir: claimed as string };
}

/** Undefined when `dir` is the nginx folder of a sandbox this user started for this kubeconfig; else why not. */
function checkConfDir(dir: unknown, config: LoadedKubeconfig): string | undefined {
  if (typeof dir !== 'string' || !isAbsolute(dir)) return 'not an absolute path';
  let real: string, tmp: string;
  try {
    real = realpathSync(dir);
    tmp = realpathSync(tmpdir());
  } catch (e) {
    return `it cannot be resolved (${errorMessage(e)})`;
  }
  const work = dirname(real);
  if (basename(real) !== 'nginx' || !WORK_DIR.test(basename(work)) || dirname(work) !== tmp)
    return `a sandbox's nginx folder is ${join(tmp, 'kubetrace-sandbox-XXXXXX', 'nginx')}, and this resolves to ${real}`;
  const st = statSync(work);
  if (process.getuid && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0))
    return `${work} is not a folder of this user's that others cannot write`;
  const own = readText(join(work, SANDBOX_CA_FILE));
  const trusted = kubeconfigCa(config);
  if (!own || !trusted || own.trim() !== trusted.trim())
    return `the CA in ${work} is not the one the kubeconfig trusts for ${config.server}`;
  return undefined;
}

function kubeconfigCa(config: LoadedKubeconfig): string | undefined {
  const cluster = config.kc.getCurrentCluster();
  if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
  return cluster?.caFile ? readText(cluster.caFile) : undefined;
}

function readText(f: string): string | undefined {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return undefined;
  }
}
