// `kubectl apply` on save: the user's --manifests folders are watched, and a change re-applies them.
// Objects whose manifest changed are replaced, objects whose document is gone are deleted; the controllers
// and the nginx controller follow from the store's change events, as they would in a cluster.
import { watch, type FSWatcher } from 'node:fs';
import { loadManifests, type Refusal } from '../manifest-loader';
import type { KubeObject, ObjectStore } from '../store';

const key = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class ManifestSet {
  private applied = new Map<string, string>(); // key → the manifest's JSON as last applied

  /** `extra`: objects that come with every apply (the --scale ones), after the manifests. */
  constructor(
    private readonly store: ObjectStore,
    private readonly dirs: string[],
    private readonly extra: KubeObject[] = [],
  ) {}

  /** Loads every folder and applies the difference to what was applied before. */
  async apply(): Promise<{ refused: Refusal[]; changed: number }> {
    const extra = this.extra;
    const { objects, refused } = await loadManifests(this.dirs, {
      existingNamespaces: this.store.list('Namespace').map((n) => n.metadata.name),
    });
    const next = new Map<string, KubeObject>();
    for (const o of [...objects, ...extra]) next.set(key(o), o);
    let changed = 0;
    const ordered = [...next.values()].sort(
      (a, b) => (a.kind === 'Namespace' ? 0 : 1) - (b.kind === 'Namespace' ? 0 : 1),
    );
    for (const o of ordered) {
      const json = JSON.stringify(o);
      if (this.applied.get(key(o)) === json) continue;
      this.store.put(o);
      this.applied.set(key(o), json);
      changed++;
    }
    for (const k of [...this.applied.keys()]) {
      if (next.has(k)) continue;
      const [kind, ns, ...name] = k.split('/');
      this.store.delete(kind, ns || undefined, name.join('/'));
      this.applied.delete(k);
      changed++;
    }
    return { refused, changed };
  }

  /** Watches the folders; `onApplied` hears about each re-apply (refusals included). */
  watch(onApplied: (r: { refused: Refusal[]; changed: number } | Error) => void, debounceMs = 100): () => void {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    let chain = Promise.resolve();
    const kick = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        chain = chain.then(() => this.apply().then(onApplied, (e: Error) => onApplied(e)));
      }, debounceMs);
    };
    for (const d of this.dirs) {
      try {
        watchers.push(watch(d, kick));
      } catch {
        /* a file path or a missing folder: nothing to watch */
      }
    }
    return () => {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    };
  }
}
