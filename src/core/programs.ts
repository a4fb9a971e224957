// Where the sandbox's system programs are. Debian puts nginx and haproxy in /usr/sbin, which is not on a normal
// user's PATH; Homebrew puts them in /opt/homebrew/bin (Apple silicon) or /usr/local/bin (Intel), which may not be
// on the PATH an editor was started with. So: the override, then /usr/sbin, then PATH, then Homebrew's places.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const EXTRA = ['/usr/sbin', '/usr/local/sbin', '/opt/homebrew/bin', '/opt/homebrew/sbin', '/usr/local/bin'];

const runnable = (f: string): boolean => {
  try {
    accessSync(f, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The program `name` (e.g. "nginx"): `env[override]` when set, else the first runnable file in /usr/sbin, the PATH
 * and Homebrew's directories, else /usr/sbin/<name> (so an error names where it was expected on Debian).
 */
export function findProgram(
  name: string,
  override: string,
  env: Record<string, string | undefined> = process.env,
  isRunnable: (file: string) => boolean = runnable,
): string {
  const given = env[override];
  if (given) return given;
  const dirs = ['/usr/sbin', ...(env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA];
  for (const d of dirs) if (isRunnable(join(d, name))) return join(d, name);
  return join('/usr/sbin', name);
}

/**
 * The python3 that runs the sandbox's Flask app: `KUBETRACE_PYTHON`, else Debian's /usr/bin/python3, which carries
 * python3-flask (a python3 earlier on the PATH, from pyenv or a venv, may not), else `python3` from the PATH.
 */
export function findPython(
  env: Record<string, string | undefined> = process.env,
  exists: (file: string) => boolean = existsSync,
): string {
  return env.KUBETRACE_PYTHON ?? (exists('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}
