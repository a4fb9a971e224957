// Reads the backend pods' logs for a whole burst, as probe/feeds.ts's appLogFeed reads them for one probe: one
// followed stream per pod, and each line that names a pending request's id (probes use the trace id as request id)
// is matched for that id by the probe's own matcher (ingest/app-log/match.ts), so a line means the same in both.
import { matchAppLogLines, type AppLogLine } from '../ingest/app-log';
import type { Pod } from '../kube/objects';
import type { KubeRequester } from '../kube/request';
import { PodLogStream } from './log-stream';

export interface AppLines {
  service: string;
  pod: Pod;
  lines: AppLogLine[];
}

const HEX32 = /[0-9a-fA-F]{32}/g;

export class AppLogReader {
  private readonly streams: { pod: Pod; service: string; stream: PodLogStream }[];

  constructor(o: { api: KubeRequester; pods: { pod: Pod; service: string }[]; since: Date; signal?: AbortSignal }) {
    this.streams = o.pods.map(({ pod, service }) => ({
      pod,
      service,
      stream: new PodLogStream({ api: o.api, pod, since: new Date(o.since.getTime() - 1000), signal: o.signal }),
    }));
  }

  opened(): Promise<void> {
    return Promise.all(this.streams.map((s) => s.stream.opened)).then(() => {});
  }

  get error(): string | undefined {
    return this.streams.find((s) => s.stream.error)?.stream.error;
  }

  /** Every pod's stream keeps what arrives as bytes only, until release() (log-stream.ts). */
  hold(): void {
    for (const s of this.streams) s.stream.hold();
  }

  release(): void {
    for (const s of this.streams) s.stream.release();
  }

  get heldBytes(): number {
    return this.streams.reduce((n, s) => n + s.stream.heldBytes, 0);
  }

  /** Per pending id: the lines about it that arrived since the last read, per pod. */
  read(isOurs: (id: string) => boolean): Map<string, AppLines[]> {
    const out = new Map<string, AppLines[]>();
    for (const s of this.streams) {
      const byId = new Map<string, string[]>();
      for (const text of s.stream.take())
        for (const m of text.matchAll(HEX32)) {
          const id = m[0].toLowerCase();
          if (!isOurs(id)) continue;
          const list = byId.get(id);
          if (!list) byId.set(id, [text]);
          else if (list[list.length - 1] !== text) list.push(text);
        }
      for (const [id, texts] of byId) {
        const lines = matchAppLogLines(texts, { requestId: id, traceId: id });
        if (!lines.length) continue;
        const list = out.get(id) ?? [];
        list.push({ service: s.service, pod: s.pod, lines });
        out.set(id, list);
      }
    }
    return out;
  }

  close(): void {
    for (const s of this.streams) s.stream.close();
  }
}
