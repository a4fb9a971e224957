// The cluster the tree shows: kubeconfig + context + namespace filter, the last listing, and the watches
// that keep it current. Errors are kept as state for the tree to show, never thrown at VS Code. When the watches
// lose the API server the tree says so and the watches keep trying (src/core/kube/watch.ts); the first answer
// reloads everything. A kubeconfig rewritten on disk (a restarted sandbox) is reloaded too.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import { KubetraceError, errorMessage } from '../core/errors';
import { KubeApiError } from '../core/kube/errors';
import { KINDS } from '../core/kube/list';
import { loadKubeconfig, type LoadedKubeconfig } from '../core/kube/load';
import { KubeRequester } from '../core/kube/request';
import { readRouteTree, type RouteTree } from '../core/kube/route-tree';
import { watchKinds, type WatchHandle } from '../core/kube/watch';
import { watchFiles, type FileWatch } from '../core/kube/file-watch';
import { isUnreachable } from '../core/kube/reachability';
import { kubeconfigSetting } from './config';
import { log } from './output';

export type ClusterState =
  | { kind: 'noKubeconfig'; looked: string }
  | { kind: 'loading' }
  | {
      kind: 'error';
      title: string;
      message: string;
      hint?: string;
      actions: ('retry' | 'kubeconfig' | 'context' | 'trust' | 'sandbox')[];
      /** The API server did not answer; the watches retry and reload the tree once it does. */
      retrying?: boolean;
    }
  | { kind: 'ready'; tree: RouteTree };

export class Cluster implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  state: ClusterState = { kind: 'loading' };
  config?: LoadedKubeconfig;
  api?: KubeRequester;
  kubeconfigOverride?: string;
  contextOverride?: string;
  namespaces: string[] = [];
  /** Workspace settings passed over when the kubeconfig was chosen, and why (the tree shows them). */
  notes: string[] = [];
  private watch?: WatchHandle;
  private files?: { key: string; watch: FileWatch };
  private loading?: Promise<void>;

  constructor(private readonly memento: vscode.Memento) {
    this.namespaces = memento.get<string[]>('kubetrace.namespaces', []);
    this.contextOverride = memento.get<string>('kubetrace.context') || undefined;
    this.kubeconfigOverride = memento.get<string>('kubetrace.kubeconfigOverride') || undefined;
  }

  async setKubeconfig(path: string | undefined, context?: string): Promise<void> {
    this.kubeconfigOverride = path;
    this.contextOverride = context;
    await this.memento.update('kubetrace.kubeconfigOverride', path);
    await this.memento.update('kubetrace.context', context);
    return this.reload();
  }

  async setContext(name: string): Promise<void> {
    this.contextOverride = name;
    await this.memento.update('kubetrace.context', name);
    return this.reload();
  }

  async setNamespaces(ns: string[]): Promise<void> {
    this.namespaces = ns;
    await this.memento.update('kubetrace.namespaces', ns);
    return this.reload();
  }

  /** The current listing, loaded first when the tree has none yet (or its last try failed). */
  async listing(): Promise<RouteTree | undefined> {
    if (this.state.kind !== 'ready') await this.reload();
    return this.state.kind === 'ready' ? this.state.tree : undefined;
  }

  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    this.watch?.stop();
    this.setState({ kind: 'loading' });
    const where = kubeconfigSetting(this.kubeconfigOverride);
    this.notes = where.ignored;
    for (const n of where.ignored) log.warn(n);
    const files = where.value.split(delimiter).filter(Boolean);
    this.watchKubeconfig(files);
    if (!files.some((f) => existsSync(f))) {
      this.config = undefined;
      this.api = undefined;
      this.setState({ kind: 'noKubeconfig', looked: `${where.value} (from ${where.from})` });
      return;
    }
    log.info(`kubeconfig ${where.value} (from ${where.from})`);
    try {
      this.config = await loadKubeconfig({
        kubeconfig: where.value,
        context: this.contextOverride,
        noCommands: where.noCommands,
      });
    } catch (e) {
      this.config = undefined;
      const refused = e instanceof KubetraceError && e.code === 'untrusted-command';
      this.setState({
        kind: 'error',
        title: refused ? 'Credential command not run (Restricted Mode)' : 'Kubeconfig problem',
        message: errorMessage(e),
        hint: e instanceof KubetraceError ? e.hint : undefined,
        actions: refused ? ['trust', 'kubeconfig', 'context'] : ['kubeconfig', 'context', 'retry'],
      });
      return;
    }
    this.api = new KubeRequester(this.config);
    try {
      const ns = this.namespaces.length === 1 ? this.namespaces[0] : undefined;
      const tree = await readRouteTree(this.api, { namespace: ns, fallbackNamespace: this.config.namespace });
      if (this.namespaces.length > 1) tree.entries = tree.entries.filter((e) => this.namespaces.includes(e.namespace));
      this.setState({ kind: 'ready', tree });
      this.startWatch(ns ?? (tree.scope.kind === 'namespace' ? tree.scope.namespace : undefined));
    } catch (e) {
      if (isUnreachable(e)) {
        // Not there yet (or not any more): the watches knock with backoff and reload the tree on the first answer.
        log.warn(`listing failed: ${errorMessage(e)}; retrying`);
        this.setState(unreachable(e));
        this.startWatch(this.namespaces.length === 1 ? this.namespaces[0] : undefined);
        return;
      }
      const status = e instanceof KubeApiError ? e.status : 0;
      const actions: ('retry' | 'kubeconfig' | 'context')[] =
        status === 401
          ? ['kubeconfig', 'context', 'retry']
          : status === 403
            ? ['context', 'retry']
            : ['retry', 'context', 'kubeconfig'];
      this.setState({
        kind: 'error',
        title: errorTitle(e),
        message: errorMessage(e),
        hint: e instanceof KubetraceError ? e.hint : undefined,
        actions,
      });
      log.warn(`listing failed: ${errorMessage(e)}`);
    }
  }

  /** Reloads when a kubeconfig file in use changes on disk; one watcher per list of files. */
  private watchKubeconfig(files: string[]): void {
    const key = files.join(delimiter);
    if (this.files?.key === key) return;
    this.files?.watch.stop();
    this.files = {
      key,
      watch: watchFiles(files, () => {
        log.info('the kubeconfig changed on disk; reloading');
        // After a load under way, which may have read the old file.
        void (this.loading ?? Promise.resolve()).then(() => this.reload());
      }),
    };
  }

  private startWatch(namespace?: string): void {
    if (!this.api) return;
    const watch: WatchHandle = watchKinds(
      this.api,
      [KINDS.ingresses, KINDS.services, KINDS.endpointslices, KINDS.pods, KINDS.httproutes, KINDS.gateways],
      {
        namespace,
        onChange: () => {
          void this.refreshQuietly();
        },
        onError: (m, retry) => log.warn(`watch: ${m}; reconnecting in ${Math.round(retry / 1000)} s`),
        onReach: (r) => {
          if (this.watch !== watch) return;
          if (r.kind === 'down' && this.state.kind === 'ready') {
            log.warn(`the API server stopped answering: ${r.message}`);
            this.setState(unreachable(r.error));
          } else if (r.kind === 'up' && this.state.kind === 'error' && this.state.retrying) {
            log.info('the API server answers again; reloading');
            void this.reload();
          }
        },
      },
    );
    this.watch = watch;
  }

  /** A watch event: re-list without flashing the tree into "loading". */
  private async refreshQuietly(): Promise<void> {
    if (!this.api || !this.config || this.state.kind !== 'ready') return;
    try {
      const ns = this.namespaces.length === 1 ? this.namespaces[0] : undefined;
      const tree = await readRouteTree(this.api, { namespace: ns, fallbackNamespace: this.config.namespace });
      if (this.namespaces.length > 1) tree.entries = tree.entries.filter((e) => this.namespaces.includes(e.namespace));
      this.setState({ kind: 'ready', tree });
    } catch (e) {
      // An unreachable server is the watches' to report: they also notice when it is back.
      log.warn(`refresh after a change failed: ${errorMessage(e)}`);
    }
  }

  private setState(s: ClusterState): void {
    this.state = s;
    void vscode.commands.executeCommand('setContext', 'kubetrace.state', s.kind);
    this.changed.fire();
  }

  dispose(): void {
    this.watch?.stop();
    this.files?.watch.stop();
    this.changed.dispose();
  }
}

/** The tree's state while the API server does not answer: the error, and that nothing needs pressing. */
function unreachable(e: unknown): ClusterState {
  const hint = e instanceof KubetraceError ? e.hint : undefined;
  return {
    kind: 'error',
    title: errorTitle(e),
    message: errorMessage(e),
    hint: `retrying by itself${hint ? `; ${hint}` : ''}`,
    actions: ['retry', 'context', 'kubeconfig'],
    retrying: true,
  };
}

/** The title of the node that says the API server does not answer (the tree offers Start sandbox there). */
export const UNREACHABLE_TITLE = 'Cannot reach the API server';

/** A label short enough for the side bar; the full message is the node's tooltip and first child. */
function errorTitle(e: unknown): string {
  if (!(e instanceof KubeApiError)) return 'Listing failed';
  switch (e.status) {
    case 401:
      return '401 Unauthorized: credentials refused';
    case 403:
      return '403 Forbidden: permission missing';
    case 0:
      return e.reason === 'Unreachable'
        ? UNREACHABLE_TITLE
        : e.reason === 'TLS'
          ? 'TLS verification failed'
          : 'Cannot talk to the API server';
    default:
      return `API error ${e.status}`;
  }
}
