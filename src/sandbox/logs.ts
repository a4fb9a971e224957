// Container logs of the sandbox's pods. Each pod's stdout and stderr lines are kept with their arrival
// time, merged in time order as a container runtime merges them; `pods/log` reads from here.
import { EventEmitter } from 'node:events';

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

export class LogStore extends EventEmitter {
  private readonly logs = new Map<string, LogEntry[]>();

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
    list.splice(i, 0, entry);
    if (list.length > MAX_LINES_PER_CONTAINER) list.splice(0, list.length - TRIM_TO);
    this.emit('line', key, entry);
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
    const prefix = `${k.namespace}/${k.pod}/`;
    const listener = (key: string, e: LogEntry) => {
      if (key === want || (!k.container && key.startsWith(prefix))) fn(e);
    };
    this.on('line', listener);
    return () => this.off('line', listener);
  }
}
