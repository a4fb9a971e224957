// Reads the backend pods' logs for a whole burst, as probe/feeds.ts's appLogFeed reads them for one probe: one
// followed stream per pod, and each line that names a pending request's id (probes use the trace id as request id)
// is matched for that id by the probe's own matcher (ingest/app-log/match.ts), so a line means the same in both.
import { matchAppLogLines, type AppLogLine } from '../ingest/app-log';
import type { Pod } from '../kube/objects';
import type { KubeRequester } from '../kube/request';
import { PodLogStream, PodStreams } from './log-stream';

export interface AppLines {
  service: string;
  pod: Pod;
  lines: AppLogLine[];
}

const HEX32 = /[0-9a-fA-F]{32}/g;

export class AppLogReader extends PodStreams<{ pod: Pod; service: string; stream: PodLogStream }> {
  constructor(o: { api: KubeRequester; pods: { pod: Pod; service: string }[]; since: Date; signal?: AbortSignal }) {
    super(
      o.pods.map(({ pod, service }) => ({
        pod,
        service,
        stream: new PodLogStream({ api: o.api, pod, since: new Date(o.since.getTime() - 1000), signal: o.signal }),
      })),
    );
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
}
