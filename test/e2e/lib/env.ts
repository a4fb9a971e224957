// The e2e environment shared by the flows, `npm run demo:vscode` and the VS Code bench: the packaged extension,
// the sandbox cluster, a demo workspace (copies of the apps' sources, the Ingress YAML and the nginx source) and
// one code-server with user settings pointing at the sandbox kubeconfig.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, buildStandin, buildVsix, ensureCodeServer, startCodeServer, type CodeServer } from './code-server';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process';

export type Theme = 'dark' | 'light';
export const THEMES: Record<Theme, string> = { dark: 'Default Dark Modern', light: 'Default Light Modern' };
export const NGINX_DIR = 'nginx-1.22.1';

export interface E2EEnv {
  base: string;
  workspace: string;
  sandbox: SandboxProcess;
  cs: CodeServer;
  settingsFile: string;
  vsix: string;
  /** The user settings as code-server last wrote them. */
  settings(): Record<string, unknown>;
  stop(): Promise<void>;
}

export function fetchNginxSource(): string {
  return execFileSync('bash', [join(ROOT, 'scripts', 'fetch-nginx-source.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop()!;
}

/**
 * The demo workspace: real copies, not symlinks, because jump-to-source refuses paths whose realpath leaves the
 * workspace. The nginx tree sits in the folder too; `.vscode/settings.json` names it as kubetrace.nginx.sourcePath,
 * since the probe only looks for a tree at the top of each workspace folder (see the e2e report).
 */
export function prepareWorkspace(dir: string, nginxTree: string): string {
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, 'src', 'sandbox', 'apps'), join(dir, 'apps'), { recursive: true, dereference: true });
  cpSync(join(ROOT, 'src', 'sandbox', 'manifests'), join(dir, 'manifests'), {
    recursive: true,
    dereference: true,
    filter: (s) => !s.endsWith('.ts'),
  });
  cpSync(nginxTree, join(dir, NGINX_DIR), { recursive: true, dereference: true });
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(
    join(dir, '.vscode', 'settings.json'),
    JSON.stringify({ 'kubetrace.nginx.sourcePath': `\${workspaceFolder}/${NGINX_DIR}` }, null, 2),
  );
  writeFileSync(
    join(dir, 'README.md'),
    '# Kubetrace demo workspace\n\nThe sandbox apps (`apps/`), their Ingress YAML (`manifests/`) and the nginx 1.22.1 source.\nOpen the Kubetrace view, right-click `orders` and choose Send Probe.\n',
  );
  return dir;
}

export interface EnvOptions {
  podSubnet?: string;
  /** Every pod on 127.0.0.1 with ports of its own (`kubetrace sandbox --single-address`), as on macOS. */
  singleAddress?: boolean;
  scale?: number;
  theme?: Theme;
  settings?: Record<string, unknown>;
  log?: (line: string) => void;
  /** Skip the .vsix build (the bench and demo may reuse one). */
  vsix?: string;
  /** Also install the Kubernetes Tools stand-in, pointed at the sandbox kubeconfig. */
  kubernetesTools?: boolean;
  /** Also install the agent stand-in, which calls Kubetrace's language model tools through vscode.lm.invokeTool. */
  agent?: boolean;
}

export async function startEnv(o: EnvOptions = {}): Promise<E2EEnv> {
  const say = o.log ?? (() => {});
  const base = mkdtempSync(join(tmpdir(), 'kubetrace-e2e-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(base, { recursive: true, force: true })];
  const stop = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (e) {
        say(`stop: ${(e as Error).message}`);
      }
    }
  };
  try {
    ensureCodeServer();
    // KUBETRACE_E2E_VSIX tests a given package (e.g. the one `npm run package` made) instead of building one.
    const vsix = o.vsix ?? process.env.KUBETRACE_E2E_VSIX ?? buildVsix();
    say(`vsix: ${vsix}`);
    const workspace = prepareWorkspace(join(base, 'kubetrace-demo'), fetchNginxSource());
    const t0 = Date.now();
    const sandbox = await startSandboxProcess({
      kubeconfigPath: join(base, 'sandbox', 'sandbox.kubeconfig'),
      podSubnet: o.podSubnet,
      singleAddress: o.singleAddress,
      scale: o.scale,
      log: say,
    });
    cleanups.push(() => sandbox.stop());
    say(`sandbox ready in ${Date.now() - t0} ms: ${sandbox.kubeconfigPath}`);
    const cs = await startCodeServer({
      vsix,
      workspace,
      alsoInstall: [
        ...(o.kubernetesTools ? [buildStandin('kubernetes-tools-standin')] : []),
        ...(o.agent ? [buildStandin('agent-standin')] : []),
      ],
      settings: {
        // With Kubernetes Tools, Kubetrace is left to find the kubeconfig through that extension's setting
        // (the README's order), which the flows then prove; the machine has no other kubeconfig.
        ...(o.kubernetesTools
          ? { 'vs-kubernetes': { 'vs-kubernetes.kubeconfig': sandbox.kubeconfigPath } }
          : { 'kubetrace.kubeconfig': sandbox.kubeconfigPath }),
        'workbench.colorTheme': THEMES[o.theme ?? 'dark'],
        'editor.minimap.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.commandCenter.enabled': false,
        'git.enabled': false,
        'extensions.ignoreRecommendations': true,
        ...o.settings,
      },
    });
    cleanups.push(() => cs.stop());
    const settingsFile = join(cs.userDataDir, 'User', 'settings.json');
    const settings = () => JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    return {
      base,
      workspace,
      sandbox,
      cs,
      settingsFile,
      vsix,
      settings,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
