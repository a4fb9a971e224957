// Container logs of the sandbox's pods. Each pod's stdout and stderr lines are kept with their arrival
// time, merged in time order as a container runtime merges them; `pods/log` reads from here.
export interface LogEntry {
  /** Arrival time, Unix nanoseconds. */
  timeUnixNano: bigint;
  stream: 'stdout' | 'stderr';
  /** One line, without its trailing newline. */
  line: string;
}

export interface PodLogKey {
  namespace: string;
  pod: string;
  container?: string;
}

export const MAX_LINES_PER_CONTAINER = 200_000;
/** Trimmed down to this many once over the cap: trimming one line per append shifted 200,000 entries each time,
 *  which made a sandbox with nginx's debug log on (hundreds of lines a request) slower with every request. */
const TRIM_TO = MAX_LINES_PER_CONTAINER * 0.9;

export class LogStore {
  private readonly logs = new Map<string, LogEntry[]>();
  /**
   * Followers by pod (`namespace/pod/`): a line is offered only to its own pod's followers. Offering every line of
   * every container to every follower cost the sandbox a tenth of its CPU during a burst.
   */
  private readonly followers = new Map<string, Set<(key: string, e: LogEntry) => void>>();

  private key(k: PodLogKey): string {
    return `${k.namespace}/${k.pod}/${k.container ?? ''}`;
  }

  append(k: PodLogKey, entry: LogEntry): void {
    const key = this.key(k);
    let list = this.logs.get(key);
    if (!list) {
      list = [];
      this.logs.set(key, list);
    }
    // Arrival order is time order except across the two pipes; keep the list sorted.
    let i = list.length;
    while (i > 0 && list[i - 1].timeUnixNano > entry.timeUnixNano) i--;
    if (i === list.length) list.push(entry);
    else list.splice(i, 0, entry);
    if (list.length > MAX_LINES_PER_CONTAINER) list.splice(0, list.length - TRIM_TO);
    const fs = this.followers.get(`${k.namespace}/${k.pod}/`);
    if (fs) for (const f of fs) f(key, entry);
  }

  /** Lines of a pod's container (or its only/first container when none is named). */
  read(k: PodLogKey): LogEntry[] {
    const exact = this.logs.get(this.key(k));
    if (exact) return exact;
    if (k.container) return [];
    const prefix = `${k.namespace}/${k.pod}/`;
    for (const [key, list] of this.logs) if (key.startsWith(prefix)) return list;
    return [];
  }

  /** Calls `fn` for each new line of that pod; returns a function that stops it. */
  follow(k: PodLogKey, fn: (e: LogEntry) => void): () => void {
    const want = this.key(k);
    const pod = `${k.namespace}/${k.pod}/`;
    const listener = (key: string, e: LogEntry) => {
      if (!k.container || key === want) fn(e);
    };
    let set = this.followers.get(pod);
    if (!set) this.followers.set(pod, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (!set.size && this.followers.get(pod) === set) this.followers.delete(pod);
    };
  }
}
