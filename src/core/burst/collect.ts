// Collects the spans of a whole burst in bulk (docs/ARCHITECTURE.md, "When a trace is complete", applied to each
// request): every poll reads the controller log once for all pending request ids and asks the trace backend for
// all the burst's traces, then every request whose trace is complete is assembled (burst/request-trace.ts) and handed on, and forgotten.
// In a burst of up to CollectorOptions.holdUntilLast requests, assembling waits for the last answer: which traces
// are complete is decided as they complete, but the CPU that building them takes is spent after the last answer,
// not while this process shares the machine's cores with the cluster it is timing. Such a burst also reads nothing
// while its requests go out (`deferring`): the log streams keep their bytes undecoded and the trace backend is not
// asked; everything is read once the last answer is in, and polled as usual from then on.
import { podIndex, PROVISIONAL, type NginxBatchContext } from '../probe/feeds';
import { expectsApp, ingressAttributes } from '../probe/collect';
import { sleep } from '../probe/gather';
import type { Resolved } from '../probe/resolve';
import type { ProbeIds } from '../probe/feeds';
import type { Sent } from '../probe/send';
import type { Target } from '../probe/target';
import { richerTraceHint } from '../controllers';
import { treeState } from '../trace/closed';
import type { Diagnostic, Layer, Span, SpanBatch, Trace } from '../trace/model';
import { errorMessage } from '../errors';
import type { AppLogReader } from './app-log-reader';
import type { ControllerLogReader, FoundLine } from './log-reader';
import { ingressBatch, openLogs, servedBackends, type IngressMode } from './open-logs';
import { TraceReader } from './trace-reader';
import { appLogSpans, assemble, type Decided, type Pending } from './request-trace';
import type { Backend } from '../ingest/backend';
import type { KubeRequester } from '../kube/request';

const TRACES_EVERY_MS = 300;
/**
 * Once the backend has given app spans (so the app logs need not be opened, decideAppLog), it is asked less often
 * while sending: each FindTraces window also holds the requests around its own, so fewer, wider windows send and
 * parse fewer traces twice. Assembling waits for the last answer anyway.
 */
const TRACES_WHILE_SENDING_MS = 1000;
const LOG_ON_WAIT_MS = 1000;
/**
 * A held burst stops deferring its reads after this long or once its logs hold this many bytes, and reads as a
 * longer burst does from then on: a slow paced burst would otherwise leave a busy controller's log waiting, and ask
 * the backend for traces minutes old. A held log stream is not read on (log-stream.ts), so it holds only what came
 * before: a burst of 1,000 through the sandbox waits about 2 s with 15 MB of log not read yet.
 */
const DEFER_MAX_MS = 30_000;
const DEFER_MAX_BYTES = 64 << 20;

export interface CollectorOptions {
  api: KubeRequester;
  r: Resolved;
  target: Target;
  backend?: Backend & { where: string };
  /** A trace with every expected layer is complete after this long without a new span, unless its tree is closed. */
  quietMs?: number;
  /** The quiet period while a span is known to be coming (a named parent, a call's answer): trace/closed.ts. */
  pendingQuietMs?: number;
  /** How long after its answer a request's trace may take before it is handed on incomplete. */
  maxWaitMs?: number;
  pollMs?: number;
  /**
   * How many decided traces may wait for the last answer to be assembled (0: none). Held traces cost memory: a
   * burst of 10,000 held 1,000 of them and its peak RSS went from 231 to 317 MB, so longer bursts hold none.
   */
  holdUntilLast?: number;
  onTrace: (trace: Trace, sent: Sent, complete: boolean) => void;
  /** A request's trace is decided (complete or given up on); onTrace follows, maybe only after the last answer. */
  onDecided?: () => void;
}

export class BurstCollector {
  private readonly pending = new Map<string, Pending>();
  private decided: Decided[] = [];
  private log?: ControllerLogReader;
  private appLog?: AppLogReader;
  private readonly traces?: TraceReader;
  private readonly ingressCtx: Omit<NginxBatchContext, 'traceId' | 'rootSpanId' | 'clientWindow'>;
  private readonly errors = new Map<string, string>();
  /**
   * How the ingress layer is read: nginx's log, another proxy's log by its parser, or not at all. `maybe`: a log
   * that is off by default showed no access line before the burst; the burst's own first lines decide.
   */
  private ingress?: IngressMode;
  private firstAnswer?: number;
  private openAppLog?: () => AppLogReader;
  /** Whether the trace backend has given app spans for any request of the burst. */
  private backendGaveApp = false;
  /**
   * Nothing is read while the requests of a held burst go out (run()); collecting costs this process the CPU the
   * requests need, and with their traces assembled after the last answer anyway, reading earlier gains nothing.
   */
  private deferring: boolean;
  /** When the deferred reading began (performance.now()): a request's wait for its spans counts from here. */
  private readingFrom = -Infinity;
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly o: CollectorOptions) {
    const { r } = o;
    const module = r.controller.module;
    // A weighted rule may send each request to any backend with traffic: all of them are indexed and read, as for
    // one probe (probe/collect.ts).
    const indexes = servedBackends(r).map((b) => podIndex(b.endpoints, r.backendNamespace, b.service?.name ?? ''));
    this.ingressCtx = {
      podByAddr: (addr) => indexes.map((f) => f(addr)).find(Boolean),
      service: module?.id,
      serverAttributes: ingressAttributes(r.controller),
      ...(module && module.id !== 'ingress-nginx' ? { timingSetting: module.accessLog.setting } : {}),
    };
    if (o.backend) this.traces = new TraceReader(o.backend, r.choice.backend?.service?.name);
    this.deferring = (o.holdUntilLast ?? 0) > 0;
  }

  /**
   * Opens the log streams before the first request leaves: the controller's (when its access log can be read, as
   * probe/collect.ts decides for one probe) and the backend pods'.
   */
  async open(signal: AbortSignal): Promise<void> {
    const opened = await openLogs(this.o.r, this.o.api, signal);
    ({ ingress: this.ingress, log: this.log, openAppLog: this.openAppLog } = opened);
    // Without a trace backend the app logs are the only app spans; with one, they are opened only if the first
    // requests get no app spans from it (decideAppLog).
    if (!this.o.backend) this.appLog = this.openAppLog?.();
    if (this.deferring) {
      this.log?.hold();
      this.appLog?.hold();
    }
    await Promise.all([this.log?.opened(), this.appLog?.opened()]);
  }

  /** Before the request leaves, so that its log line is recognized whenever it is read. */
  expect(ids: ProbeIds): void {
    this.pending.set(ids.traceId, { ids, lastNew: performance.now(), spanCount: 0 });
  }

  answered(sent: Sent): void {
    const p = this.pending.get(sent.ids.traceId);
    if (!p) return;
    p.sent = sent;
    p.answeredAt = performance.now();
    this.firstAnswer ??= p.answeredAt;
  }

  get waiting(): number {
    return this.pending.size;
  }

  /** Polls until `sending` is settled and every trace is complete, or `deadline()` (performance.now) has passed. */
  async run(sending: { done: boolean }, deadline: () => number, signal: AbortSignal): Promise<string[]> {
    const started = performance.now();
    try {
      for (;;) {
        if (this.deferring && (sending.done || signal.aborted || this.deferredTooMuch(started))) {
          this.stopDeferring();
          // Cancelled while the logs were only kept: their lines arrived before the cancellation, so they are read
          // (not the backend), as they would have been by then without deferring.
          if (signal.aborted) await this.poll(true, signal, false);
        }
        // Once cancelled, nothing more is read: what arrived so far is what the burst reports.
        if (!signal.aborted && !this.deferring) {
          await this.poll(sending.done, signal);
          this.settle(false, !sending.done);
        }
        if (sending.done && (!this.pending.size || performance.now() >= deadline() || signal.aborted)) break;
        await sleep(signal.aborted ? 10 : (this.o.pollMs ?? 100), signal.aborted ? undefined : signal);
      }
    } finally {
      this.log?.close();
      this.appLog?.close();
    }
    this.settle(true, false);
    if (this.log?.error) this.errors.set('controller log', this.log.error);
    if (this.appLog?.error) this.errors.set('app logs', this.appLog.error);
    return [...this.errors].map(([name, m]) => `${name}: ${m}`);
  }

  private deferredTooMuch(started: number): boolean {
    const held = (this.log?.heldBytes ?? 0) + (this.appLog?.heldBytes ?? 0);
    return held > DEFER_MAX_BYTES || performance.now() - started > DEFER_MAX_MS;
  }

  private stopDeferring(): void {
    this.deferring = false;
    this.readingFrom = performance.now();
    this.log?.release();
    this.appLog?.release();
  }

  private lastTraceRead = -Infinity;

  // The logs are followed streams, taken at every poll. The trace backend is asked less often while requests are
  // still going out (each read costs the cluster and this process CPU the requests need), and only for requests
  // whose app spans may still change. Without `backend`, only the logs are read.
  private async poll(settling: boolean, signal: AbortSignal, backend = true): Promise<void> {
    const now0 = performance.now();
    const wanted = [...this.pending.values()]
      .filter((p) => p.sent && !p.appSettled && this.expectsApp(p.sent))
      .map((p) => ({
        traceId: p.ids.traceId,
        rootSpanId: p.ids.rootSpanId,
        startUnixNano: p.sent!.clientWindow.startUnixNano,
        endUnixNano: p.sent!.clientWindow.endUnixNano,
        answeredAt: p.answeredAt!,
      }));
    const readTraces =
      backend &&
      !!this.traces &&
      wanted.length > 0 &&
      now0 - this.lastTraceRead >= (settling ? 0 : this.backendGaveApp ? TRACES_WHILE_SENDING_MS : TRACES_EVERY_MS);
    if (readTraces) this.lastTraceRead = now0;
    const spans = readTraces
      ? await this.traces!.read(wanted, signal).catch((e: unknown) => this.fail('trace backend', e, signal))
      : undefined;
    // After the trace read, so that a line logged before the spans were exported is not read after them.
    const isOurs = (id: string) => this.pending.has(id);
    const lines = this.log?.read((id) => isOurs(id) && !this.pending.get(id)!.line && !this.pending.get(id)!.ingress);
    const appLines = this.appLog?.read(isOurs);
    const now = performance.now();
    if (this.ingress === 'maybe') this.decideLog(now);
    if (spans?.size) this.backendGaveApp = true;
    // A held burst decides this only after its last answer, once the backend was read: the app logs are followed
    // from before the first request (open-logs.ts `since`), so opening them late loses no line.
    if (
      backend &&
      !this.appLog &&
      this.openAppLog &&
      !this.backendGaveApp &&
      now - (this.firstAnswer ?? now) >= LOG_ON_WAIT_MS
    )
      this.appLog = this.openAppLog();
    if (readTraces) for (const w of wanted) this.pending.get(w.traceId)!.readAfterAnswer = true;
    for (const [id, line] of lines ?? []) {
      const p = this.pending.get(id);
      if (p) p.line = line;
    }
    for (const [id, s] of spans ?? []) {
      const p = this.pending.get(id);
      if (p) p.app = s;
    }
    for (const [id, got] of appLines ?? []) {
      const p = this.pending.get(id);
      if (p) (p.appLogs ??= []).push(...got);
    }
    for (const p of this.pending.values()) {
      if (p.line && p.sent && !p.ingress) {
        p.ingress = this.ingressBatch(p as Pending & { sent: Sent }, p.line);
        // Its texts are slices of the whole chunk of log they came in, which they would keep in memory.
        p.line = undefined;
      }
      const count =
        (p.ingress?.spans.length ?? 0) +
        (p.app?.length ?? 0) +
        (p.appLogs?.reduce((n, a) => n + a.lines.length, 0) ?? 0);
      if (count > p.spanCount) {
        p.spanCount = count;
        p.lastNew = now;
      }
      // A closed tree of the client's and the app's spans gets no more app spans (trace/closed.ts); with more than
      // one upstream try, another pod's spans may still come.
      if (readTraces && p.sent && p.app?.length && !p.appSettled)
        p.appSettled =
          treeState([...p.sent.client, ...p.app]) === 'closed' &&
          (p.ingress?.spans.filter((x) => x.name === 'upstream.attempt').length ?? 0) <= 1;
    }
  }

  // A proxy writes a request's line when it ends, before or just after its answer (probe/proxy-log.ts's logIsOn
  // looks right after the probe's answer): a second after the first answer with no access line, the log is off.
  // A held burst's second counts from when it began reading: its stream was not read while the requests went out,
  // so a burst that took over a second to send found at its first read only what the stream held from before (such
  // as haproxy's reload notices), and called a log that was on off.
  private decideLog(now: number): void {
    const module = this.o.r.controller.module!;
    if (this.log?.sawAccessLine) this.ingress = 'proxy';
    else if (this.firstAnswer !== undefined && now - Math.max(this.firstAnswer, this.readingFrom) >= LOG_ON_WAIT_MS) {
      this.ingress = undefined;
      this.log?.close();
      this.diagnostics.push({
        code: 'no-ingress-spans',
        severity: 'info',
        message: `no ingress-layer spans from ${module.title}: its pods log no access lines (off with its defaults)`,
        hint: richerTraceHint(module),
      });
    }
  }

  private ingressBatch(p: Pending & { sent: Sent }, line: FoundLine): SpanBatch {
    const ctx = { ...this.ingressCtx, traceId: p.ids.traceId, rootSpanId: p.ids.rootSpanId };
    return ingressBatch(line, { ...ctx, clientWindow: p.sent.clientWindow }, this.o.r);
  }

  private fail(name: string, e: unknown, signal?: AbortSignal): undefined {
    if (!signal?.aborted) this.errors.set(name, errorMessage(e));
    return undefined;
  }

  private expectsApp(sent: Sent): boolean {
    return expectsApp(this.o.r, sent.res, !!this.o.backend || !!this.openAppLog);
  }

  private expectsIngress(sent: Sent): boolean {
    return !!this.ingress && !sent.res.error?.code.startsWith('ECONNREFUSED');
  }

  private missing(p: Pending & { sent: Sent }, logSpans: Span[]): Layer[] {
    const out: Layer[] = [];
    if (this.expectsIngress(p.sent) && !p.ingress) out.push('ingress');
    // A span derived from a log line of an app that exports spans counts only once its real span arrived.
    const fromLogs = logSpans.some((s) => s.attributes[PROVISIONAL] !== true);
    if (this.expectsApp(p.sent) && !p.app?.length && !fromLogs) out.push('app');
    return out;
  }

  /**
   * Decides every complete trace (with `all`, every answered request, complete or not) and hands it on, or with
   * `defer` holds it back to be assembled later.
   */
  private settle(all: boolean, defer: boolean): void {
    const now = performance.now();
    for (const [id, p] of this.pending) {
      if (!p.sent) {
        if (all) this.pending.delete(id); // never answered (cancelled before it left)
        continue;
      }
      const q = p as Pending & { sent: Sent };
      const logSpans = appLogSpans(q, !!this.o.backend);
      const missing = this.missing(q, logSpans);
      // A held burst's wait counts from when it began reading, not from an answer given while nothing was read.
      const waited = now - Math.max(p.answeredAt!, this.readingFrom);
      if (missing.length && !all && waited < (this.o.maxWaitMs ?? 5000)) continue;
      const spans = [...q.sent.client, ...(p.ingress?.spans ?? []), ...(p.app ?? []), ...logSpans];
      // docs/ARCHITECTURE.md, "When a trace is complete", as probe/gather.ts applies it to one probe.
      const shape = !this.o.backend || p.readAfterAnswer ? treeState(spans) : 'open';
      const quiet = shape === 'pending' ? (this.o.pendingQuietMs ?? 500) : (this.o.quietMs ?? 50);
      const complete = !missing.length && (shape === 'closed' || now - p.lastNew >= quiet);
      // A long burst does not hold on to a request forever: like a probe, it waits `maxWaitMs` after the answer.
      if (!complete && !all && waited < (this.o.maxWaitMs ?? 5000)) continue;
      this.pending.delete(id);
      this.decided.push({ p: q, logSpans, missing, complete });
      this.o.onDecided?.();
    }
    const keep = defer ? (this.o.holdUntilLast ?? 0) : 0;
    if (this.decided.length <= keep) return;
    const out = this.decided.splice(0, this.decided.length - keep);
    for (const d of out) this.o.onTrace(assemble(d, this.o.target), d.p.sent, d.complete);
  }
}
