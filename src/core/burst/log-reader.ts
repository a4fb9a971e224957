// Reads the controller pods' access logs for a whole burst: one followed stream per pod (log-stream.ts), every new
// line read once and assigned to its probe by request id or mark. nginx-family lines go through probe/find-line.ts;
// another proxy's (HAProxy's `option httplog`) through its format's parser, as probe/proxy-log.ts reads one probe's.
import type { FormatId } from '../controllers';
import { parserFor, type ProxyLogParser } from '../ingest/controller-log/formats';
import type { Pod } from '../kube/objects';
import type { KubeRequester } from '../kube/request';
import { findProbeLines, type ProbeLine } from '../probe/find-line';
import { PodLogStream, PodStreams } from './log-stream';

/** A probe's access-log line: nginx's with the lines just before it (nginx writes a request's error lines first). */
export type FoundLine = { hit: ProbeLine; texts: string[]; pod: Pod } | { record: unknown; pod: Pod };

// Error lines about a request come shortly before its access line; more context only costs time at this scale.
const ERROR_CONTEXT_LINES = 50;

export class ControllerLogReader extends PodStreams<{ pod: Pod; stream: PodLogStream; tail: string[] }> {
  private readonly parser?: ProxyLogParser;
  /** Whether any line was an access line the format's parser reads (anyone's request, not only the burst's). */
  sawAccessLine = false;

  constructor(o: {
    api: KubeRequester;
    pods: Pod[];
    container?: string;
    since: Date;
    /** A format other than nginx's (FormatId of the registry), read by its parser. */
    format?: FormatId;
    signal?: AbortSignal;
  }) {
    super(
      o.pods.map((pod) => ({
        pod,
        tail: [],
        stream: new PodLogStream({
          api: o.api,
          pod,
          since: new Date(o.since.getTime() - 1000),
          signal: o.signal,
          ...(o.container && pod.spec?.containers?.some((c) => c.name === o.container)
            ? { container: o.container }
            : {}),
        }),
      })),
    );
    if (o.format) this.parser = parserFor(o.format);
  }

  /** The lines of the ids `isOurs` accepts among the lines that arrived since the last read. */
  read(isOurs: (id: string) => boolean): Map<string, FoundLine> {
    const out = new Map<string, FoundLine>();
    for (const s of this.streams) {
      const fresh = s.stream.take();
      if (!fresh.length) continue;
      if (this.parser) {
        for (const text of fresh) {
          const r = this.parser.parse(text);
          if (!('record' in r)) continue;
          this.sawAccessLine = true;
          const id = this.parser.requestId(r.record);
          if (id && isOurs(id)) out.set(id, { record: r.record, pod: s.pod });
        }
        continue;
      }
      // The last lines of the previous read come first: a request's error lines may have arrived in it.
      const texts = s.tail.length ? [...s.tail, ...fresh] : fresh;
      for (const [id, hit] of findProbeLines(fresh, isOurs)) {
        const at = hit.index + s.tail.length;
        const from = Math.max(0, at - ERROR_CONTEXT_LINES);
        out.set(id, { hit: { ...hit, index: at - from }, texts: texts.slice(from, at + 1), pod: s.pod });
      }
      s.tail = texts.slice(-ERROR_CONTEXT_LINES);
    }
    return out;
  }
}
