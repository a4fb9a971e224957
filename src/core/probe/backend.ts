// Trace backends for a probe: found by well-known ports and labels (or the setting), read through the API
// server's service proxy, polled by the collector until the trace is complete.
import {
  chooseBackend,
  discoverBackends,
  fetchTrace,
  parseBackendSetting,
  urlTransport,
  type Backend,
  type BackendCandidate,
} from '../ingest/backend';
import type { ClusterSnapshot } from '../kube/route-tree';
import type { KubeRequester } from '../kube/request';
import { serviceProxyTransport } from '../kube/proxy';
import type { Diagnostic, SpanBatch } from '../trace/model';
import type { SpanFeed } from './gather';
import { redact, stripUserInfo } from '../redact';

export interface BackendChoice {
  api: KubeRequester;
  snapshot: ClusterSnapshot;
  setting?: string;
  /** The probed route's namespace: a discovered backend there (or in an observability namespace) is expected. */
  namespace?: string;
}

/** The one trace backend a probe or a burst reads (or none), with how to reach it and a name for messages. */
export function chooseTraceBackend(o: BackendChoice): {
  backends: (Backend & { where: string })[];
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  let candidates: BackendCandidate[] = [];
  const setting = o.setting && o.setting !== 'auto' ? parseBackendSetting(o.setting) : undefined;
  if (setting && 'error' in setting) {
    diagnostics.push({
      code: 'backend-setting',
      severity: 'warning',
      message: `kubetrace.traceBackend: ${redact(setting.error)}`,
      hint: 'use auto, a URL, or namespace/service:port',
    });
  } else if (setting) {
    candidates = [setting];
  } else {
    const found = discoverBackends(
      o.snapshot.services.map((s) => ({
        namespace: s.metadata.namespace ?? 'default',
        name: s.metadata.name,
        labels: s.metadata.labels ?? {},
        ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port })),
      })),
    );
    // One backend only: the best-scoring one, preferring the route's and the observability namespaces.
    const choice = chooseBackend(found, o.namespace);
    diagnostics.push(...choice.diagnostics);
    candidates = choice.chosen ? [choice.chosen] : [];
  }
  const backends = candidates.map((c) => {
    const transport = c.url ? urlTransport(c.url) : serviceProxyTransport(o.api, c.namespace!, c.service!, c.port!);
    // A URL's user:password goes to the backend as Basic auth (transport.ts), never into names or messages.
    const where = c.url ? stripUserInfo(c.url) : `${c.namespace}/${c.service}:${c.port}`;
    return { kind: c.kind, transport, where };
  });
  return { backends, diagnostics };
}

export function backendFeeds(o: BackendChoice & { traceId: string }): { feeds: SpanFeed[]; diagnostics: Diagnostic[] } {
  const { backends, diagnostics } = chooseTraceBackend(o);
  return { feeds: traceFeeds(backends, o.traceId), diagnostics };
}

/** One feed per chosen backend, asking it for one trace by id. */
export function traceFeeds(backends: (Backend & { where: string })[], traceId: string): SpanFeed[] {
  return backends.map((c): SpanFeed => {
    const { transport, where } = c;
    return {
      name: `${c.kind} ${where}`,
      intervalMs: 15,
      async poll(signal): Promise<SpanBatch> {
        // One attempt per poll: the collector owns the waiting. A 404 means "not yet", not a failure.
        const r = await fetchTrace({ kind: c.kind, transport }, traceId, {
          timeoutMs: 2000,
          signal,
          isComplete: () => true,
          pollIntervalMs: 0,
          once: true,
        });
        return {
          spans: r.spans,
          diagnostics: r.diagnostics.filter((d) => d.code !== 'backend-not-found' && d.code !== 'backend-cancelled'),
        };
      },
    };
  });
}
