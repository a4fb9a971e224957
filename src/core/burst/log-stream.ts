// Follows one pod's log for a burst (`pods/log?follow=true`, as `kubectl logs -f`): every line arrives once, as it
// is written. Polling instead re-read up to a second of lines per read (sinceTime has whole seconds), so at burst
// rates each line crossed the network twice or more, and a request's line waited up to a poll interval.
// If the stream ends (an API server or kubelet may close it), it is opened again from the newest line's second and
// the lines already seen are skipped by time and text.
import type { Pod } from '../kube/objects';
import type { KubeRequester } from '../kube/request';
import { splitTimestamped, type PodLogLine } from '../kube/logs';
import { errorMessage } from '../errors';
import { sleep } from '../probe/gather';

const REOPEN_AFTER_MS = 200;

export class PodLogStream {
  private text = '';
  private lines: PodLogLine[] = [];
  /** The newest timestamp seen and the texts seen at exactly that time (a reopened stream repeats its second). */
  private newest?: bigint;
  private atNewest = new Set<string>();
  /** After a reopen: the lines up to this point were seen already. */
  private skip?: { time: bigint; texts: Set<string> };
  private stopped = false;
  private readonly ctrl = new AbortController();
  /** The last error, until a stream opens again. */
  error?: string;
  /** Resolves when the first stream answered (or failed). */
  readonly opened: Promise<void>;

  constructor(
    private readonly o: { api: KubeRequester; pod: Pod; container?: string; since: Date; signal?: AbortSignal },
  ) {
    o.signal?.addEventListener('abort', () => this.close(), { once: true });
    this.opened = this.loop();
  }

  /** The lines that arrived since the last call, oldest first. */
  take(): PodLogLine[] {
    this.split();
    const out = this.lines;
    this.lines = [];
    return out;
  }

  close(): void {
    this.stopped = true;
    this.ctrl.abort();
  }

  private loop(): Promise<void> {
    let first: (() => void) | undefined;
    const opened = new Promise<void>((resolve) => (first = resolve));
    void (async () => {
      while (!this.stopped) {
        try {
          await this.follow(() => first?.());
        } catch (e) {
          if (!this.stopped) this.error = errorMessage(e);
        }
        first?.();
        first = undefined;
        if (!this.stopped) await sleep(REOPEN_AFTER_MS, this.ctrl.signal).catch(() => {});
      }
    })();
    return opened;
  }

  private async follow(onOpen: () => void): Promise<void> {
    const { pod } = this.o;
    // What the last stream gave is kept; its unfinished line will come again.
    this.split();
    this.text = '';
    if (this.newest !== undefined) this.skip = { time: this.newest, texts: new Set(this.atNewest) };
    const since = this.newest !== undefined ? new Date(Number(this.newest / 1_000_000n)) : this.o.since;
    const ns = encodeURIComponent(pod.metadata.namespace ?? 'default');
    const res = await this.o.api.stream({
      path: `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(pod.metadata.name)}/log`,
      query: {
        follow: true,
        timestamps: true,
        container: this.o.container,
        sinceTime: new Date(Math.floor(since.getTime() / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
      },
      signal: this.ctrl.signal,
    });
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const { statusError } = await import('../kube/errors');
      throw statusError(res.statusCode ?? 0, Buffer.concat(chunks), `pods/${pod.metadata.name}/log`, this.o.api.config);
    }
    this.error = undefined;
    onOpen();
    res.setEncoding('utf8');
    for await (const chunk of res) {
      this.text += chunk as string;
      // Split as it comes so the unsplit text stays small even when nobody takes lines for a while.
      if (this.text.length > 1 << 20) this.split();
    }
  }

  private split(): void {
    const end = this.text.lastIndexOf('\n');
    if (end < 0) return;
    const whole = this.text.slice(0, end + 1);
    this.text = this.text.slice(end + 1);
    for (const l of splitTimestamped(whole)) {
      const t = l.timeUnixNano;
      if (this.skip && t !== undefined) {
        if (t < this.skip.time || (t === this.skip.time && this.skip.texts.has(l.text))) continue;
        if (t > this.skip.time) this.skip = undefined;
      }
      if (t !== undefined) {
        if (this.newest === undefined || t > this.newest) {
          this.newest = t;
          this.atNewest = new Set();
        }
        this.atNewest.add(l.text);
      }
      this.lines.push(l);
    }
  }
}
