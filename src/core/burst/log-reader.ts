// Reads the controller pods' access logs for a whole burst: one read per pod per poll, only the lines new since the
// last read, every access line parsed once and assigned to its probe by request id or mark (probe/find-line.ts).
import { readPodLog } from '../kube/logs';
import type { Pod } from '../kube/objects';
import type { KubeRequester } from '../kube/request';
import { findProbeLines, type ProbeLine } from '../probe/find-line';

/** A probe's access-log line, with the lines just before it (nginx writes a request's error lines first). */
export interface FoundLine {
  hit: ProbeLine;
  texts: string[];
  pod: Pod;
}

// Error lines about a request come shortly before its access line; more context only costs time at this scale.
const ERROR_CONTEXT_LINES = 50;

export class ControllerLogReader {
  /** Per pod: the newest timestamp read and the texts read at exactly that time (reads overlap by a second). */
  private readonly cursor = new Map<string, { time: bigint; texts: Set<string> }>();

  constructor(private readonly o: { api: KubeRequester; pods: Pod[]; container?: string; since: Date }) {}

  /** The lines of the ids `isOurs` accepts among the lines written since the last read. */
  async read(isOurs: (id: string) => boolean, signal?: AbortSignal): Promise<Map<string, FoundLine>> {
    const out = new Map<string, FoundLine>();
    await Promise.all(
      this.o.pods.map(async (pod) => {
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        const at = this.cursor.get(key);
        const since = at ? new Date(Number(at.time / 1_000_000n)) : new Date(this.o.since.getTime() - 1000);
        const lines = await readPodLog(this.o.api, pod.metadata.namespace ?? 'ingress-nginx', pod.metadata.name, {
          sinceTime: since,
          signal,
          ...(this.o.container && pod.spec?.containers?.some((c) => c.name === this.o.container)
            ? { container: this.o.container }
            : {}),
        });
        const fresh = lines.filter(
          (l) =>
            !at ||
            l.timeUnixNano === undefined ||
            l.timeUnixNano > at.time ||
            (l.timeUnixNano === at.time && !at.texts.has(l.text)),
        );
        const newest = lines.reduce<bigint | undefined>(
          (m, l) => (l.timeUnixNano !== undefined && (m === undefined || l.timeUnixNano > m) ? l.timeUnixNano : m),
          at?.time,
        );
        if (newest !== undefined) {
          const texts = new Set(at && at.time === newest ? at.texts : []);
          for (const l of lines) if (l.timeUnixNano === newest) texts.add(l.text);
          this.cursor.set(key, { time: newest, texts });
        }
        const texts = fresh.map((l) => l.text);
        for (const [id, hit] of findProbeLines(texts, isOurs)) {
          const from = Math.max(0, hit.index - ERROR_CONTEXT_LINES);
          out.set(id, { hit: { ...hit, index: hit.index - from }, texts: texts.slice(from, hit.index + 1), pod });
        }
      }),
    );
    return out;
  }
}
