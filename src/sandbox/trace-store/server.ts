// The trace-store pod: the core's OTLP/HTTP receiver on the OTLP port feeding a bounded store, and Jaeger's
// query API on the query port.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
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
  /**
   * Bearer token both ports require (as the API server requires its own): the apps send it with their spans
   * (OTEL_EXPORTER_OTLP_HEADERS), and the API server's service proxy adds it for reads. Without it, any local
   * process could fill the store or read every trace.
   */
  token?: string;
}

/** Exporters send batches of at most 512 spans (well under 1 MB); a bigger body is not an app's. */
export const TRACE_STORE_MAX_BODY_BYTES = 4 * 1024 * 1024;

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
    withToken(
      opts.token,
      createOtlpHandler({
        maxBodyBytes: opts.maxBodyBytes ?? TRACE_STORE_MAX_BODY_BYTES,
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
      opts.onError,
    ),
  );
  const query = createServer(withToken(opts.token, createQueryHandler(store), opts.onError));
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

/** The handler behind a bearer-token check (constant time); 401 before any body is read. */
function withToken(
  token: string | undefined,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onError?: (status: number, message: string) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  if (!token) return handler;
  const want = Buffer.from(`Bearer ${token}`);
  return (req, res) => {
    const got = Buffer.from(req.headers.authorization ?? '');
    if (got.length === want.length && timingSafeEqual(got, want)) return handler(req, res);
    onError?.(401, 'no valid bearer token');
    // Discard the body as it arrives (nothing is kept) and keep the connection open until it has: closing while a
    // client is still sending makes it see a reset instead of this answer.
    req.resume();
    res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' });
    res.end('401 Unauthorized: this port needs the sandbox token\n');
  };
}
