// Where the sandbox's files are, both from the sources (tsx, tests) and from the bundle (dist/cli.js).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The package root: the nearest folder above this file whose package.json is Kubetrace's. */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if (JSON.parse(readFileSync(pkg, 'utf8')).name === 'kubetrace') return (root = dir);
      } catch {
        /* keep looking */
      }
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the kubetrace package folder above ${__dirname}`);
  }
}

/**
 * What a child needs to run process.execPath as Node. Under VS Code's Electron (Start Sandbox runs the CLI there,
 * src/vscode/sandbox.ts) that is ELECTRON_RUN_AS_NODE, without which the apps would start an editor window.
 */
export const nodeEnv = (): Record<string, string> => (process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {});

/** The apps' sources: plain .js/.py files run as they are (their lines are what spans point at). */
export const appsDir = (): string => join(packageRoot(), 'src', 'sandbox', 'apps');

/**
 * How to run `kubetrace <args>`: the bundle when it is built, else the TypeScript sources through tsx
 * (also when KUBETRACE_SANDBOX_FROM_SOURCE=1, for working on the sources without rebuilding).
 */
export function cliCommand(args: string[]): { command: string; args: string[] } {
  const bundle = join(packageRoot(), 'dist', 'cli.js');
  if (existsSync(bundle) && process.env.KUBETRACE_SANDBOX_FROM_SOURCE !== '1')
    return { command: process.execPath, args: [bundle, ...args] };
  return {
    command: process.execPath,
    args: ['--import', 'tsx', join(packageRoot(), 'src', 'cli', 'main.ts'), ...args],
  };
}
