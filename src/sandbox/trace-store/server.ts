// The trace-store pod: the core's OTLP/HTTP receiver on the OTLP port feeding a bounded store, and Jaeger's
// query API on the query port.
import { createServer } from 'node:http';
import {
  closeServer,
  countSpans,
  createOtlpHandler,
  listen,
  type ReceivedBatch,
} from '../../core/ingest/otlp/receiver';
import { createQueryHandler } from './query';
import { serviceName, TraceStore, type AddResult, type TraceStoreLimits } from './store';

export interface TraceStoreOptions extends Partial<TraceStoreLimits> {
  host: string;
  queryPort: number;
  otlpPort: number;
  /** Called after each batch is stored (the pod logs a line). */
  onBatch?: (info: BatchInfo) => void;
  onError?: (status: number, message: string) => void;
  maxBodyBytes?: number;
}

export interface BatchInfo {
  format: ReceivedBatch['format'];
  spans: number;
  stored: number;
  duplicates: number;
  rejected: number;
  traces: number;
  services: string[];
  remoteAddress?: string;
}

export interface RunningTraceStore {
  store: TraceStore;
  queryUrl: string;
  otlpUrl: string;
  queryPort: number;
  otlpPort: number;
  close(): Promise<void>;
}

export async function startTraceStore(opts: TraceStoreOptions): Promise<RunningTraceStore> {
  const store = new TraceStore({ maxTraces: opts.maxTraces, maxSpans: opts.maxSpans });
  const otlp = createServer(
    createOtlpHandler({
      maxBodyBytes: opts.maxBodyBytes,
      onError: opts.onError,
      spanBytes: true,
      onBatch: (batch) => {
        const r: AddResult = store.add(batch.resourceSpans, batch.spanBytes);
        opts.onBatch?.({
          format: batch.format,
          spans: countSpans(batch.resourceSpans),
          stored: r.stored,
          duplicates: r.duplicates,
          rejected: batch.rejectedSpans + r.rejected,
          traces: r.traces,
          services: [...new Set(batch.resourceSpans.map((rs) => serviceName(rs.resource)))],
          remoteAddress: batch.remoteAddress,
        });
        return r.rejected
          ? {
              rejectedSpans: r.rejected,
              errorMessage: `${r.rejected} spans did not fit the store (max ${store.limits.maxSpans} spans)`,
            }
          : undefined;
      },
    }),
  );
  const query = createServer(createQueryHandler(store));
  // Exporters keep connections open; do not let an idle one hold a close() up.
  otlp.keepAliveTimeout = 5000;
  try {
    await listen(otlp, opts.host, opts.otlpPort);
    await listen(query, opts.host, opts.queryPort);
  } catch (e) {
    await Promise.all([closeServer(otlp), closeServer(query)]);
    throw e;
  }
  const otlpPort = (otlp.address() as { port: number }).port;
  const queryPort = (query.address() as { port: number }).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    store,
    otlpPort,
    queryPort,
    otlpUrl: `http://${host}:${otlpPort}`,
    queryUrl: `http://${host}:${queryPort}`,
    close: async () => {
      await Promise.all([closeServer(otlp), closeServer(query)]);
    },
  };
}
