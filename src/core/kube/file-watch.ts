// Notices when kubeconfig files change on disk: `kubetrace sandbox` rewrites its kubeconfig with a new port and
// CA on every start (src/sandbox/sandbox.ts), and `kubectl config use-context` rewrites ~/.kube/config. The folder
// is watched, not the file: a file replaced by rename keeps no watch, and a missing file may appear later.
// Events are debounced and the contents compared, so a touch or a half-written file costs no reload.
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface FileWatch {
  stop(): void;
}

export function watchFiles(files: string[], onChange: () => void, opts: { debounceMs?: number } = {}): FileWatch {
  const paths = [...new Set(files.map((f) => resolve(f)))];
  const seen = new Map(paths.map((p) => [p, read(p)]));
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const check = () => {
    if (stopped) return;
    let differs = false;
    for (const p of paths) {
      const now = read(p);
      if (now !== seen.get(p)) differs = true;
      seen.set(p, now);
    }
    if (differs) onChange();
  };

  for (const dir of new Set(paths.map(dirname))) {
    const names = new Set(paths.filter((p) => dirname(p) === dir).map((p) => basename(p)));
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name && !names.has(name.toString())) return;
        clearTimeout(timer);
        timer = setTimeout(check, opts.debounceMs ?? 300);
      });
      // The folder went away (or the platform cannot watch it): the kubeconfig is then only read on Refresh.
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      /* no such folder: nothing to watch */
    }
  }

  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

/** The file's text, or undefined when it cannot be read (missing, or mid-rename). */
function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
