// The sandbox's object store: what etcd is to a real API server. One global resourceVersion counter,
// and a change event per write so that watches and the controllers (nginx config, EndpointSlices) follow.
import { EventEmitter } from 'node:events';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreChange {
  type: WatchEventType;
  object: KubeObject;
  resourceVersion: number;
}

/** Kinds by their `kind` field; the API layer maps plural resource names to these. */
export class ObjectStore extends EventEmitter {
  private readonly byKind = new Map<string, Map<string, KubeObject>>();
  /** Sorted lists per kind, dropped on each write to that kind (lists far outnumber writes). */
  private readonly sorted = new Map<string, KubeObject[]>();
  private rv = 1;
  private uidCounter = 0;
  /** Recent changes, so a watch from an older resourceVersion can be replayed (like etcd's window). */
  readonly history: StoreChange[] = [];

  constructor() {
    super();
    // Every open watch is a listener (api/watch.ts removes it when the connection closes), beside the controllers:
    // an editor watching a dozen kinds is normal, not the leak Node's default limit of 10 warns about.
    this.setMaxListeners(0);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  private static key(ns: string | undefined, name: string): string {
    return `${ns ?? ''}/${name}`;
  }

  list(kind: string, namespace?: string): KubeObject[] {
    const m = this.byKind.get(kind);
    if (!m) return [];
    let all = this.sorted.get(kind);
    if (!all) {
      // Order as the API server gives it (etcd key order): namespace, then name, compared bytewise.
      const keyed = [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      all = keyed.map(([, o]) => o);
      this.sorted.set(kind, all);
    }
    return namespace === undefined ? [...all] : all.filter((o) => o.metadata.namespace === namespace);
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byKind.get(kind)?.get(ObjectStore.key(namespace, name));
  }

  /** Creates or replaces an object (kubectl apply semantics, minus merging). */
  put(obj: KubeObject): KubeObject {
    let m = this.byKind.get(obj.kind);
    if (!m) {
      m = new Map();
      this.byKind.set(obj.kind, m);
    }
    const key = ObjectStore.key(obj.metadata.namespace, obj.metadata.name);
    const old = m.get(key);
    const rv = ++this.rv;
    const stored: KubeObject = structuredClone(obj);
    stored.metadata.resourceVersion = String(rv);
    stored.metadata.uid = old?.metadata.uid ?? stored.metadata.uid ?? uid(++this.uidCounter);
    stored.metadata.creationTimestamp =
      old?.metadata.creationTimestamp ??
      stored.metadata.creationTimestamp ??
      new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    m.set(key, stored);
    this.sorted.delete(obj.kind);
    this.record({ type: old ? 'MODIFIED' : 'ADDED', object: stored, resourceVersion: rv });
    return stored;
  }

  delete(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const m = this.byKind.get(kind);
    const key = ObjectStore.key(namespace, name);
    const old = m?.get(key);
    if (!m || !old) return undefined;
    m.delete(key);
    this.sorted.delete(kind);
    const rv = ++this.rv;
    const gone = { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } };
    this.record({ type: 'DELETED', object: gone, resourceVersion: rv });
    return gone;
  }

  private record(change: StoreChange): void {
    this.history.push(change);
    // Trim in chunks: splicing the head on every write would make bulk loads quadratic.
    if (this.history.length > 12_000) this.history.splice(0, this.history.length - 10_000);
    this.emit('change', change);
  }
}

function uid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `6b75be74-0000-4000-8000-${hex}`;
}
