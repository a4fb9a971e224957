// The system packages `kubetrace sandbox` runs, checked before starting it so that a missing one is named with
// the line that installs it instead of surfacing as a pod that never gets ready. The programs and their
// overrides are the sandbox's own: src/sandbox/nginx/controller.ts (NGINX_BIN), src/sandbox/haproxy/controller.ts
// (HAPROXY_BIN), src/sandbox/runtime/apps.ts (the catalog's python3; all three found by src/core/programs.ts) and
// src/sandbox/certs.ts (openssl).
import { findProgram, findPython } from './programs';

/** Runs a command; true when it ran and exited 0. Injected, so the checks run without the programs. */
export type CommandProbe = (command: string, args: string[]) => Promise<boolean>;

export interface SandboxNeed {
  /** What the user reads: "nginx", "Flask for python3". */
  name: string;
  /** Without it the sandbox does not start; haproxy is optional (its controller pod is marked Failed). */
  required: boolean;
  /** Debian/Ubuntu package. */
  apt: string;
  /** The macOS command that installs it. */
  mac: string;
}

export interface NeedsContext {
  env: Record<string, string | undefined>;
  /** Whether a file exists (the catalog's python3 is /usr/bin/python3 when there is one). */
  exists: (path: string) => boolean;
  /** Whether a file can be run (where nginx and haproxy are looked for, src/core/programs.ts); default: access(X_OK). */
  runnable?: (path: string) => boolean;
}

interface Check extends SandboxNeed {
  command: (c: NeedsContext) => { command: string; args: string[] };
}

const CHECKS: Check[] = [
  {
    name: 'nginx',
    required: true,
    apt: 'nginx',
    mac: 'brew install nginx',
    command: (c) => ({ command: findProgram('nginx', 'KUBETRACE_NGINX', c.env, c.runnable), args: ['-v'] }),
  },
  {
    name: 'Flask for python3',
    required: true,
    apt: 'python3-flask',
    mac: 'python3 -m pip install --user flask',
    command: (c) => ({ command: findPython(c.env, c.exists), args: ['-c', 'import flask'] }),
  },
  {
    name: 'openssl',
    required: true,
    apt: 'openssl',
    mac: 'brew install openssl',
    command: () => ({ command: 'openssl', args: ['version'] }),
  },
  {
    name: 'haproxy',
    required: false,
    apt: 'haproxy',
    mac: 'brew install haproxy',
    command: (c) => ({ command: findProgram('haproxy', 'KUBETRACE_HAPROXY', c.env, c.runnable), args: ['-v'] }),
  },
];

/** The packages the sandbox needs that this machine lacks, required ones first. */
export async function missingSandboxNeeds(probe: CommandProbe, c: NeedsContext): Promise<SandboxNeed[]> {
  const found = await Promise.all(
    CHECKS.map(async (check) => {
      const { command, args } = check.command(c);
      return (await probe(command, args).catch(() => false)) ? undefined : check;
    }),
  );
  return found
    .filter((x): x is Check => !!x)
    .sort((a, b) => Number(b.required) - Number(a.required))
    .map(({ name, required, apt, mac }) => ({ name, required, apt, mac }));
}

/** The Debian/Ubuntu line that installs them. */
export const aptLine = (needs: SandboxNeed[]): string => `sudo apt-get install -y ${needs.map((n) => n.apt).join(' ')}`;

/** The macOS line: Homebrew formulas in one `brew install`, then anything else (pip), joined with &&. */
export function macLine(needs: SandboxNeed[]): string {
  const brew = needs.filter((n) => n.mac.startsWith('brew install ')).map((n) => n.mac.slice('brew install '.length));
  const other = needs.filter((n) => !n.mac.startsWith('brew install ')).map((n) => n.mac);
  return [...(brew.length ? [`brew install ${brew.join(' ')}`] : []), ...other].join(' && ');
}

/** The line to copy on this platform: Homebrew on macOS, apt elsewhere. */
export const installLine = (needs: SandboxNeed[], platform: string): string =>
  platform === 'darwin' ? macLine(needs) : aptLine(needs);

const names = (needs: SandboxNeed[]): string =>
  needs.length === 1
    ? needs[0].name
    : `${needs
        .slice(0, -1)
        .map((n) => n.name)
        .join(', ')} and ${needs[needs.length - 1].name}`;

/** What to say when required packages are missing (the sandbox is not started), with both install lines. */
export function missingMessage(needs: SandboxNeed[]): string {
  const required = needs.filter((n) => n.required);
  const all = needs;
  return (
    `The sandbox needs ${names(required)}, which ${required.length === 1 ? 'is' : 'are'} not installed. ` +
    `Debian/Ubuntu: ${aptLine(all)}. macOS: ${macLine(all)}.`
  );
}

/** What to say when only optional packages are missing (the sandbox starts without them). */
export function optionalMessage(needs: SandboxNeed[]): string {
  return (
    `${names(needs)} ${needs.length === 1 ? 'is' : 'are'} not installed: the sandbox starts without ` +
    `${needs.length === 1 ? 'it' : 'them'} (the HAProxy controller pod is Failed, and catalog-haproxy does not answer). ` +
    `Debian/Ubuntu: ${aptLine(needs)}. macOS: ${macLine(needs)}.`
  );
}
