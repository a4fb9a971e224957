// Which kubeconfig the editor uses, and whether its credential plugins may run. Pure, so the trust rules are
// tested without VS Code: src/vscode/config.ts feeds it the settings as `inspect()` reports them per scope.
//
// A folder's `.vscode/settings.json` is content the user has not vetted. In an untrusted workspace (Restricted
// Mode) only user and machine settings may name a kubeconfig, and a kubeconfig file that lies inside a workspace
// folder never gets to run a command (exec plugin, gcp/azure `cmd-path`): either would let opening a folder run code.
import { isAbsolute, resolve } from 'node:path';
import { isInside } from '../sourcemap/roots';

/** One setting's values per scope, as `WorkspaceConfiguration.inspect()` reports them. */
export interface ScopedValue {
  /** User settings; VS Code folds machine and remote settings in here too. */
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export interface KubeconfigInputs {
  trusted: boolean;
  /** Chosen in this window by the user (Open Kubeconfig, Start Sandbox). */
  override?: string;
  /** `kubetrace.kubeconfig`. */
  kubetrace: ScopedValue;
  /** Kubernetes Tools' `vs-kubernetes` → `vs-kubernetes.kubeconfig`. */
  k8sTools: ScopedValue;
  /** The KUBECONFIG environment variable. */
  env?: string;
  home: string;
  workspaceFolders: string[];
  /** The path list separator (`:` or `;`), as in KUBECONFIG. */
  delimiter: string;
}

export interface KubeconfigChoice {
  value: string;
  /** Where the value came from, in words for the tree and the log: a setting's name, KUBECONFIG, ... */
  from: string;
  /** For a setting: the scope it was read from ('user settings', 'workspace settings', 'folder settings'). */
  scope?: string;
  /** Set when the kubeconfig may not run credential commands: why, in words. */
  noCommands?: string;
  /** Workspace settings that were not used, each with the reason (shown in the tree). */
  ignored: string[];
}

const SCOPES = [
  ['workspaceFolderValue', 'folder settings'],
  ['workspaceValue', 'workspace settings'],
  ['globalValue', 'user settings'],
] as const;

export function chooseKubeconfig(i: KubeconfigInputs): KubeconfigChoice {
  const folder = i.workspaceFolders[0] ?? '';
  const expand = (s: string) => s.replace(/\$\{workspaceFolder\}/g, folder).replace(/^~(?=\/|$)/, i.home);
  const ignored: string[] = [];
  const pick = (name: string, v: ScopedValue): { value: string; from: string; scope: string } | undefined => {
    for (const [scope, words] of SCOPES) {
      const raw = v[scope];
      if (typeof raw !== 'string' || !raw.trim()) continue;
      if (!i.trusted && scope !== 'globalValue') {
        ignored.push(`${name} from the ${words} (${raw}) is ignored: this workspace is not trusted (Restricted Mode)`);
        continue;
      }
      return { value: expand(raw.trim()), from: name, scope: words };
    }
    return undefined;
  };
  // Every scope of both settings is looked at, so the tree can name each workspace value that was passed over.
  const own = pick('kubetrace.kubeconfig', i.kubetrace);
  const tools = pick('vs-kubernetes.kubeconfig', i.k8sTools);
  const chosen: { value: string; from: string; scope?: string } = i.override
    ? { value: i.override, from: 'Open Kubeconfig or Start Sandbox in this window' }
    : (own ??
      tools ??
      (i.env ? { value: i.env, from: 'KUBECONFIG' } : undefined) ?? {
        value: `${i.home}/.kube/config`,
        from: 'the default location',
      });
  // KUBECONFIG and ~/.kube/config are the user's own, even when the open folder happens to contain them (e.g. ~).
  const named = chosen === own || chosen === tools || !!i.override;
  return { ...chosen, ignored, noCommands: i.trusted || !named ? undefined : commandsRefused(chosen.value, i) };
}

/** In Restricted Mode, a kubeconfig file inside a workspace folder is the folder's content: it may not run commands. */
function commandsRefused(value: string, i: KubeconfigInputs): string | undefined {
  const files = value
    .split(i.delimiter)
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of files) {
    const abs = isAbsolute(f) ? resolve(f) : resolve(i.workspaceFolders[0] ?? i.home, f);
    const inside = i.workspaceFolders.find((w) => isInside(abs, resolve(w)));
    if (inside)
      return `the kubeconfig ${f} lies in the workspace folder ${inside}, and this workspace is not trusted (Restricted Mode)`;
  }
  return undefined;
}
