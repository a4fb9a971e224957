// Collects the spans of a whole burst in bulk (docs/ARCHITECTURE.md, "When a trace is complete", applied to each
// request): every poll reads the controller log once for all pending request ids and asks the trace backend for
// all the burst's traces, then every request whose trace is complete is assembled and handed on, and forgotten.
import { podIndex, nginxBatch, type NginxBatchContext } from '../probe/feeds';
import { expectsApp, expectsIngress, ingressAttributes } from '../probe/collect';
import { responseDiagnostics } from '../probe/diagnose';
import { assembleProbe } from '../probe/finish';
import { sleep } from '../probe/gather';
import type { Resolved } from '../probe/resolve';
import type { ProbeIds } from '../probe/feeds';
import type { Sent } from '../probe/send';
import type { Target } from '../probe/target';
import { treeState } from '../trace/closed';
import type { Diagnostic, Layer, Span, SpanBatch, Trace } from '../trace/model';
import { errorMessage } from '../errors';
import { ControllerLogReader, type FoundLine } from './log-reader';
import { TraceReader } from './trace-reader';
import type { Backend } from '../ingest/backend';
import type { KubeRequester } from '../kube/request';

const LOG_EVERY_MS = 1000;
const TRACES_EVERY_MS = 300;

interface Pending {
  ids: ProbeIds;
  sent?: Sent;
  answeredAt?: number;
  line?: FoundLine;
  ingress?: SpanBatch;
  app?: Span[];
  lastNew: number;
  spanCount: number;
  /** Whether the trace backend was read after the answer: a closed tree counts only then. */
  readAfterAnswer?: boolean;
}

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
  onTrace: (trace: Trace, sent: Sent, complete: boolean) => void;
}

export class BurstCollector {
  private readonly pending = new Map<string, Pending>();
  private readonly log?: ControllerLogReader;
  private readonly traces?: TraceReader;
  private readonly ingressCtx: Omit<NginxBatchContext, 'traceId' | 'rootSpanId' | 'clientWindow'>;
  private readonly errors = new Map<string, string>();

  constructor(private readonly o: CollectorOptions) {
    const { r } = o;
    const svc = r.choice.backend?.service?.name;
    const module = r.controller.module;
    this.ingressCtx = {
      podByAddr: podIndex(r.choice.backend?.endpoints ?? [], r.backendNamespace, svc ?? ''),
      service: module?.id,
      serverAttributes: ingressAttributes(r.controller),
      ...(module && module.id !== 'ingress-nginx' ? { timingSetting: module.accessLog.setting } : {}),
    };
    if (module && r.controller.pods.length)
      this.log = new ControllerLogReader({
        api: o.api,
        pods: r.controller.pods,
        container: module.accessLog.container,
        since: new Date(),
      });
    if (o.backend) this.traces = new TraceReader(o.backend, svc);
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
  }

  get waiting(): number {
    return this.pending.size;
  }

  /** Polls until `sending` is settled and every trace is complete, or `deadline()` (performance.now) has passed. */
  async run(sending: { done: boolean }, deadline: () => number, signal: AbortSignal): Promise<string[]> {
    for (;;) {
      // Once cancelled, nothing more is read: what arrived so far is what the burst reports.
      if (!signal.aborted) {
        await this.poll(sending.done, signal);
        this.settle(false);
      }
      if (sending.done && (!this.pending.size || performance.now() >= deadline() || signal.aborted)) break;
      await sleep(signal.aborted ? 10 : (this.o.pollMs ?? 100), signal.aborted ? undefined : signal);
    }
    this.settle(true);
    return [...this.errors].map(([name, m]) => `${name}: ${m}`);
  }

  private lastLogRead = -Infinity;
  private lastTraceRead = -Infinity;

  // While requests are still going out, the sources are read less often: each read costs the cluster and this
  // process CPU the requests need (a log read returns at least the last second: sinceTime has whole seconds).
  private async poll(settling: boolean, signal: AbortSignal): Promise<void> {
    const now0 = performance.now();
    const isOurs = (id: string) => {
      const p = this.pending.get(id);
      return !!p && !p.line;
    };
    const needLines = [...this.pending.values()].some((p) => p.sent && !p.line && expectsIngress(this.o.r, p.sent.res));
    const readLog = needLines && now0 - this.lastLogRead >= (settling ? 0 : LOG_EVERY_MS);
    const wanted = [...this.pending.values()]
      .filter((p) => p.sent && this.expectsApp(p.sent))
      .map((p) => ({
        traceId: p.ids.traceId,
        rootSpanId: p.ids.rootSpanId,
        startUnixNano: p.sent!.clientWindow.startUnixNano,
        endUnixNano: p.sent!.clientWindow.endUnixNano,
        answeredAt: p.answeredAt!,
      }));
    const readTraces = wanted.length > 0 && now0 - this.lastTraceRead >= (settling ? 0 : TRACES_EVERY_MS);
    if (readLog) this.lastLogRead = now0;
    if (readTraces) this.lastTraceRead = now0;
    const [lines, spans] = await Promise.all([
      readLog
        ? this.log?.read(isOurs, signal).catch((e: unknown) => this.fail('controller log', e, signal))
        : undefined,
      readTraces
        ? this.traces?.read(wanted, signal).catch((e: unknown) => this.fail('trace backend', e, signal))
        : undefined,
    ]);
    const now = performance.now();
    if (readTraces) for (const w of wanted) this.pending.get(w.traceId)!.readAfterAnswer = true;
    for (const [id, line] of lines ?? []) {
      const p = this.pending.get(id);
      if (p) p.line = line;
    }
    for (const [id, s] of spans ?? []) {
      const p = this.pending.get(id);
      if (p) p.app = s;
    }
    for (const p of this.pending.values()) {
      if (p.line && p.sent && !p.ingress) {
        const { hit, texts, pod } = p.line;
        p.ingress = nginxBatch(hit, texts, pod, {
          ...this.ingressCtx,
          traceId: p.ids.traceId,
          rootSpanId: p.ids.rootSpanId,
          clientWindow: p.sent.clientWindow,
        });
      }
      const count = (p.ingress?.spans.length ?? 0) + (p.app?.length ?? 0);
      if (count > p.spanCount) {
        p.spanCount = count;
        p.lastNew = now;
      }
    }
  }

  private fail(name: string, e: unknown, signal?: AbortSignal): undefined {
    if (!signal?.aborted) this.errors.set(name, errorMessage(e));
    return undefined;
  }

  private expectsApp(sent: Sent): boolean {
    return expectsApp(this.o.r, sent.res, !!this.o.backend);
  }

  private missing(p: Pending & { sent: Sent }): Layer[] {
    const out: Layer[] = [];
    if (expectsIngress(this.o.r, p.sent.res) && !p.ingress) out.push('ingress');
    if (this.expectsApp(p.sent) && !p.app?.length) out.push('app');
    return out;
  }

  /** Hands on every complete trace; with `all`, every answered request, complete or not. */
  private settle(all: boolean): void {
    const now = performance.now();
    for (const [id, p] of this.pending) {
      if (!p.sent) {
        if (all) this.pending.delete(id); // never answered (cancelled before it left)
        continue;
      }
      const sent = p.sent;
      const missing = this.missing({ ...p, sent });
      const spans = [...sent.client, ...(p.ingress?.spans ?? []), ...(p.app ?? [])];
      // docs/ARCHITECTURE.md, "When a trace is complete", as probe/gather.ts applies it to one probe.
      const shape = !this.o.backend || p.readAfterAnswer ? treeState(spans) : 'open';
      const quiet = shape === 'pending' ? (this.o.pendingQuietMs ?? 500) : (this.o.quietMs ?? 50);
      const complete = !missing.length && (shape === 'closed' || now - p.lastNew >= quiet);
      // A long burst does not hold on to a request forever: like a probe, it waits `maxWaitMs` after the answer.
      if (!complete && !all && now - p.answeredAt! < (this.o.maxWaitMs ?? 5000)) continue;
      this.pending.delete(id);
      const diagnostics: Diagnostic[] = [...sent.diagnostics, ...responseDiagnostics(sent.res, this.o.target)];
      if (!complete)
        diagnostics.push({
          code: 'burst-trace-incomplete',
          severity: 'warning',
          message: missing.length
            ? `no ${missing.join(' or ')} spans arrived for this request before the burst stopped waiting`
            : 'spans were still arriving when the burst stopped waiting',
          hint: 'the burst waits a few seconds after its last answer; the trace shows what arrived by then',
        });
      const results: SpanBatch[] = [];
      if (p.ingress) results.push(p.ingress);
      if (p.app) results.push({ spans: p.app, diagnostics: [] });
      const trace = assembleProbe(p.ids, sent.client, results, diagnostics);
      this.o.onTrace(trace, sent, complete);
    }
  }
}
