// Starts a real VS Code (code-server 4.100.3) with the packaged extension, for the e2e flows and `npm run demo:vscode`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../../..');
const CACHE = join(ROOT, '.cache');
export const CODE_SERVER = join(CACHE, 'code-server', 'node_modules', '.bin', 'code-server');

export function ensureCodeServer(): void {
  execFileSync('bash', [join(ROOT, 'scripts', 'setup-code-server.sh')], { stdio: 'inherit' });
}

/** What the .vsix ships: the `!` lines of .vscodeignore, each a file or a folder written `folder/**`. */
export function shippedPaths(): string[] {
  return readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('!'))
    .map((l) =>
      l
        .slice(1)
        .trim()
        .replace(/\/\*\*$/, ''),
    );
}

/**
 * Builds the production bundles and the .vsix, as `npm run package` does. Other people rebuild dist/ in the
 * same tree at any time (the build starts by deleting it), so the shipped files are copied to a staging folder
 * right after the build, checked, and packaged from there.
 */
export function buildVsix(): string {
  // Per process: the e2e files run in parallel, and each packages the extension for its own code-server.
  const out = join(CACHE, 'e2e', `kubetrace-${process.pid}.vsix`);
  const stage = join(CACHE, 'e2e', `stage-${process.pid}`);
  mkdirSync(join(CACHE, 'e2e'), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--production'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(join(stage, 'dist'), { recursive: true });
    try {
      for (const f of [...shippedPaths(), '.vscodeignore']) {
        // CHANGELOG.md is the one optional entry; a missing bundle must fail here, not ship a dead feature.
        if (f === 'CHANGELOG.md' && !existsSync(join(ROOT, f))) continue;
        cpSync(join(ROOT, f), join(stage, f), { recursive: true, dereference: true });
      }
      break;
    } catch (e) {
      if (attempt >= 3)
        throw new Error(
          `the build's output vanished while it was being staged (someone else rebuilt dist/?): ${(e as Error).message}`,
          { cause: e },
        );
    }
  }
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '-o',
      out,
      // package.json's repository is not on GitHub/GitLab, so vsce cannot rebase README image links by itself.
      '--baseContentUrl',
      'https://example.invalid/kubetrace/blob/main/',
      '--baseImagesUrl',
      'https://example.invalid/kubetrace/raw/main/',
    ],
    { cwd: stage, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  rmSync(stage, { recursive: true, force: true });
  return out;
}

/**
 * A stand-in extension from test/e2e (the Kubernetes Tools stand-in, see its extension.js for why it exists and
 * what it keeps of the real extension; the agent stand-in, which calls Kubetrace's tools as a chat agent would),
 * packaged like any extension so code-server installs it the same way.
 */
export function buildStandin(name: 'kubernetes-tools-standin' | 'agent-standin'): string {
  const out = join(CACHE, 'e2e', `${name}.vsix`);
  mkdirSync(join(CACHE, 'e2e'), { recursive: true });
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'),
      'package',
      '--no-dependencies',
      '--skip-license',
      '--allow-missing-repository',
      '-o',
      out,
    ],
    { cwd: join(ROOT, 'test', 'e2e', name), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return out;
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, host, () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

export interface CodeServer {
  url: string;
  userDataDir: string;
  extensionsDir: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startCodeServer(o: {
  vsix: string;
  alsoInstall?: string[];
  workspace: string;
  settings: Record<string, unknown>;
  env?: Record<string, string>;
  /** Leave VS Code's workspace trust on (the flows turn it off); the folder then opens in Restricted Mode. */
  workspaceTrust?: boolean;
}): Promise<CodeServer> {
  const base = mkdtempSync(join(tmpdir(), 'kubetrace-cs-'));
  const userDataDir = join(base, 'user'),
    extensionsDir = join(base, 'ext');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'workbench.enableExperiments': false,
        'update.mode': 'none',
        'window.commandCenter': false,
        'chat.commandCenter.enabled': false,
        ...(o.workspaceTrust
          ? { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' }
          : {}),
        ...o.settings,
      },
      null,
      2,
    ),
  );
  for (const vsix of [o.vsix, ...(o.alsoInstall ?? [])]) {
    execFileSync(
      CODE_SERVER,
      ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir],
      { stdio: 'ignore' },
    );
  }
  const port = await freePort();
  const logs: string[] = [];
  const proc: ChildProcess = spawn(
    CODE_SERVER,
    [
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(o.workspaceTrust ? [] : ['--disable-workspace-trust']),
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
      o.workspace,
    ],
    { env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  proc.stdout!.on('data', (d) => logs.push(String(d)));
  proc.stderr!.on('data', (d) => logs.push(String(d)));
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`code-server exited (${proc.exitCode}): ${logs.join('').slice(-2000)}`);
    try {
      const r = await fetch(url + 'healthz');
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer within 60 s: ${logs.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    userDataDir,
    extensionsDir,
    logs,
    stop: async () => {
      if (proc.exitCode === null) {
        try {
          process.kill(-proc.pid!, 'SIGTERM');
        } catch {
          /* gone */
        }
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            try {
              process.kill(-proc.pid!, 'SIGKILL');
            } catch {
              /* gone */
            }
            r();
          }, 5000);
          proc.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      if (existsSync(base)) rmSync(base, { recursive: true, force: true });
    },
  };
}
