// Follows one pod's log for a burst (`pods/log?follow=true`, as `kubectl logs -f`): every line arrives once, as it
// is written. Polling instead re-read up to a second of lines per read (sinceTime has whole seconds), so at burst
// rates each line crossed the network twice or more, and a request's line waited up to a poll interval.
// If the stream ends (an API server or kubelet may close it), it is opened again from the newest line's second and
// the lines already seen are skipped by time and text.
// A held stream (hold(), while a burst's requests go out: burst/collect.ts) is not read until release(): decoding
// and splitting 15 MB of the sandbox's debug log cost the load process a quarter of a second of the cores the
// requests need, and only keeping the bytes still cost the cluster's side the sending, and this side the receiving,
// of them. Unread, the stream waits (TCP flow control): a kubelet then stops reading the log file where it is, and
// goes on from there, so no line is lost (the sandbox's stand-in does the same: src/sandbox/api/log.ts). With the
// sandbox's nginx debug log, bursts of 1,000 requests sent 484-622 requests/s this way against 382-489 while the
// stream was read and kept (three of each in turn, ab -k at 604-707).
import { StringDecoder } from 'node:string_decoder';
import type { Pod } from '../kube/objects';
import type { KubeRequester } from '../kube/request';
import { splitTimestamped } from '../kube/logs';
import { errorMessage } from '../errors';
import { sleep } from '../probe/gather';

const REOPEN_AFTER_MS = 200;

/** A line's time as whole Unix seconds and the nanoseconds after them: compared without a BigInt or Date per line. */
interface Stamp {
  sec: number;
  ns: number;
}

export class PodLogStream {
  /** Decoded text not split into lines yet, in order, and the unfinished line before it. */
  private unsplit: string[] = [];
  private unsplitChars = 0;
  private carry = '';
  /** Decodes the current stream's bytes; a UTF-8 sequence split across two chunks waits in it for its end. */
  private decoder = new StringDecoder('utf8');
  /** While held: the current stream's chunks as they came (before it stopped being read), not decoded yet. */
  private raw: Buffer[] = [];
  private rawBytes = 0;
  private holding = false;
  /** Ends the wait of a held stream's reading (release() or close()). */
  private wake?: () => void;
  private lines: string[] = [];
  /**
   * The newest timestamp seen and the texts seen at exactly that time (a reopened stream repeats its second): kept
   * in place, not as an object and a list per line (nearly every line is newer than the one before).
   */
  private newestSec = -Infinity;
  private newestNs = 0;
  private atNewest: string[] = [];
  /** After a reopen: the lines up to this point were seen already. */
  private skip?: Stamp & { texts: Set<string> };
  /** The second of the last timestamp read (`2026-12-06T02:05:04`) and its Unix seconds. */
  private second = '';
  private secondSec = NaN;
  /** What readStamp read. */
  private sec = 0;
  private ns = 0;
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

  /** Stops reading the stream (what already came is kept as bytes), until release(). */
  hold(): void {
    this.holding = true;
  }

  /** Decodes what was held, in the order it came, and reads and decodes the stream again as it comes. */
  release(): void {
    this.holding = false;
    this.decodeHeld();
    this.resume();
  }

  private resume(): void {
    this.wake?.();
    this.wake = undefined;
  }

  /** How many bytes are held, not decoded yet. */
  get heldBytes(): number {
    return this.rawBytes;
  }

  /**
   * The texts of the lines (without their timestamps) that arrived since the last call, oldest first. While held,
   * only those decoded before hold().
   */
  take(): string[] {
    this.split();
    const out = this.lines;
    this.lines = [];
    return out;
  }
  close(): void {
    this.stopped = true;
    this.ctrl.abort();
    this.resume();
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
    // What the last stream gave is kept (decoded now, even while held: the skip below needs its newest line); its
    // unfinished line, and any bytes of it the decoder waits on, will come again.
    this.decodeHeld();
    this.split();
    this.carry = '';
    this.decoder = new StringDecoder('utf8');
    const seen = this.newestSec > -Infinity;
    if (seen) this.skip = { sec: this.newestSec, ns: this.newestNs, texts: new Set(this.atNewest) };
    const since = seen ? new Date(this.newestSec * 1000) : this.o.since;
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
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (this.holding) {
        this.raw.push(chunk);
        this.rawBytes += chunk.length;
        // The next chunk is not asked for until release(): the stream's buffers fill and its sender waits.
        while (this.holding && !this.stopped) await new Promise<void>((resolve) => (this.wake = resolve));
      } else this.decode(chunk);
    }
  }

  private decode(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    if (!text) return;
    this.unsplit.push(text);
    this.unsplitChars += text.length;
    // Split as it comes so the unsplit text stays small even when nobody takes lines for a while.
    if (this.unsplitChars > 1 << 20) this.split();
  }

  private decodeHeld(): void {
    const raw = this.raw;
    this.raw = [];
    this.rawBytes = 0;
    for (const chunk of raw) this.decode(chunk);
  }

  // A burst reads tens of MB of log (the sandbox's nginx logs a hundred debug lines a request), so each line costs
  // one substring of the text it came in, and its timestamp is read in place, the second parsed once for all the
  // lines that share it. Each decoded piece is split on its own: joined first, the text was copied once more, and
  // with the stamp kept as an object and a new list per line, a line of the sandbox's debug log (105 bytes) cost
  // about 390 bytes of garbage; now about 257, most of it the decoded text itself.
  private split(): void {
    const pieces = this.unsplit;
    this.unsplit = [];
    this.unsplitChars = 0;
    for (const text of pieces) {
      let from = 0;
      let nl = text.indexOf('\n');
      if (nl < 0) {
        this.carry += text;
        continue;
      }
      if (this.carry) {
        const first = this.carry + text.slice(0, nl);
        this.carry = '';
        this.line(first, 0, first.length);
        from = nl + 1;
        nl = text.indexOf('\n', from);
      }
      for (; nl >= 0; nl = text.indexOf('\n', from)) {
        this.line(text, from, nl);
        from = nl + 1;
      }
      this.carry = text.slice(from);
    }
  }

  /** The line of `text` from `at` to `to` (its `\n`). */
  private line(text: string, at: number, to: number): void {
    if (to === at) return;
    const sp = text.indexOf(' ', at);
    if (sp > at && sp < to && this.readStamp(text, at, sp)) {
      this.add(text.slice(sp + 1, to), this.sec, this.ns);
      return;
    }
    // Any other timestamp form (a zone offset), or none: kube/logs.ts reads it.
    const l = splitTimestamped(text.slice(at, to))[0];
    const t = l?.timeUnixNano;
    if (!l) return;
    if (t === undefined) this.add(l.text);
    else this.add(l.text, Number(t / 1_000_000_000n), Number(t % 1_000_000_000n));
  }

  private add(text: string, sec?: number, ns = 0): void {
    if (sec !== undefined) {
      const skip = this.skip;
      if (skip) {
        if (sec < skip.sec || (sec === skip.sec && ns < skip.ns)) return;
        if (sec === skip.sec && ns === skip.ns) {
          if (skip.texts.has(text)) return;
        } else this.skip = undefined;
      }
      if (sec > this.newestSec || (sec === this.newestSec && ns > this.newestNs)) {
        this.newestSec = sec;
        this.newestNs = ns;
        this.atNewest.length = 0;
      }
      this.atNewest.push(text);
    }
    this.lines.push(text);
  }

  /**
   * Reads the API server's UTC form, `2026-12-06T02:05:04.123456789Z` (fraction optional, 1 to 9 digits), into
   * `sec` and `ns`; false for any other text.
   */
  private readStamp(s: string, at: number, sp: number): boolean {
    const len = sp - at;
    if (len < 20 || len === 21 || len > 30 || s.charCodeAt(sp - 1) !== 90 /* Z */) return false;
    if (len > 20 && s.charCodeAt(at + 19) !== 46 /* . */) return false;
    if (this.second.length !== 19 || !s.startsWith(this.second, at)) {
      const head = s.slice(at, at + 19);
      this.second = head;
      this.secondSec = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(head) ? Date.parse(`${head}Z`) / 1000 : NaN;
    }
    if (Number.isNaN(this.secondSec)) return false;
    let ns = 0;
    for (let i = at + 20; i < sp - 1; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return false;
      ns = ns * 10 + c;
    }
    this.sec = this.secondSec;
    this.ns = len === 20 ? 0 : ns * 10 ** (9 - (len - 21));
    return true;
  }
}

/** Several pods' followed streams read as one (the controller's pods, a backend's pods). */
export class PodStreams<T extends { stream: PodLogStream }> {
  constructor(protected readonly streams: T[]) {}

  /** Resolves once every pod's stream has answered, so that no line written after this is missed. */
  opened(): Promise<void> {
    return Promise.all(this.streams.map((s) => s.stream.opened)).then(() => {});
  }

  /** Why a pod's log cannot be read now, if it cannot. */
  get error(): string | undefined {
    return this.streams.find((s) => s.stream.error)?.stream.error;
  }

  /** Every pod's stream keeps what arrives as bytes only, until release(). */
  hold(): void {
    for (const s of this.streams) s.stream.hold();
  }

  release(): void {
    for (const s of this.streams) s.stream.release();
  }

  get heldBytes(): number {
    return this.streams.reduce((n, s) => n + s.stream.heldBytes, 0);
  }

  close(): void {
    for (const s of this.streams) s.stream.close();
  }
}
