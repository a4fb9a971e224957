// OTLP/HTTP trace receiver: `POST /v1/traces` with JSON or protobuf, optionally gzip/deflate compressed.
// Answers as the OTLP/HTTP spec says: 200 with an ExportTraceServiceResponse in the request's encoding
// (partialSuccess when spans were rejected), 400 with a google.rpc.Status for bodies that cannot be read,
// 413 past the size cap, 415 for other content types. The handler never throws.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:http';
import { gunzip, inflate, type InputType } from 'node:zlib';
import { promisify } from 'node:util';
import { decodeOtlpProtobuf, encodeExportResponse, encodeRpcStatus } from './protobuf';
import { normalizeOtlpJson } from './normalize';
import type { OtlpResourceSpans } from './types';
import { errorMessage } from '../../errors';

const gunzipAsync = promisify(gunzip) as (b: InputType, o: { maxOutputLength: number }) => Promise<Buffer>;
const inflateAsync = promisify(inflate) as (b: InputType, o: { maxOutputLength: number }) => Promise<Buffer>;

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface ReceivedBatch {
  resourceSpans: OtlpResourceSpans[];
  format: 'json' | 'protobuf';
  spanCount: number;
  /** Spans the decoder dropped (bad ids, bad times). */
  rejectedSpans: number;
  problems: string[];
  /** Protobuf requests with `spanBytes: true`: each span's own encoding (see DecodeResult.spanBytes). */
  spanBytes?: string[];
  /** Content-Encoding of the request ("identity" when none). */
  encoding: string;
  remoteAddress?: string;
}

export interface OtlpReceiverOptions {
  /** Gets every readable batch. May report spans it could not keep (e.g. a full store) for partialSuccess. */
  onBatch: (batch: ReceivedBatch) => void | { rejectedSpans?: number; errorMessage?: string };
  /** Limit on the request body, compressed and decompressed. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Called for refused requests, for logging. */
  onError?: (status: number, message: string) => void;
  /** Also hand over each protobuf span's own bytes (ReceivedBatch.spanBytes), for stores that keep them. */
  spanBytes?: boolean;
}

// gRPC codes for google.rpc.Status bodies.
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const RESOURCE_EXHAUSTED = 8;
const UNIMPLEMENTED = 12;
const INTERNAL = 13;

type Format = 'json' | 'protobuf';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function createOtlpHandler(opts: OtlpReceiverOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return (req, res) => {
    handle(req, res, opts, max).catch((e) => {
      // Only reachable through a bug in onBatch or the encoder; answer rather than hang the client.
      fail(res, req, undefined, new HttpError(500, INTERNAL, `internal error: ${errorMessage(e)}`), opts);
    });
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  opts: OtlpReceiverOptions,
  max: number,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/v1/traces') {
    return fail(
      res,
      req,
      undefined,
      new HttpError(404, NOT_FOUND, `no such path ${path.slice(0, 200)}; OTLP traces go to POST /v1/traces`),
      opts,
    );
  }
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return fail(
      res,
      req,
      undefined,
      new HttpError(405, UNIMPLEMENTED, `method ${req.method} not allowed; use POST`),
      opts,
    );
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const format: Format | undefined =
    type === 'application/json'
      ? 'json'
      : type === 'application/x-protobuf' || type === 'application/protobuf'
        ? 'protobuf'
        : undefined;
  if (!format) {
    return fail(
      res,
      req,
      undefined,
      new HttpError(
        415,
        INVALID_ARGUMENT,
        `unsupported content type "${type.slice(0, 100)}"; use application/json or application/x-protobuf`,
      ),
      opts,
    );
  }
  try {
    const encoding =
      String(req.headers['content-encoding'] ?? 'identity')
        .trim()
        .toLowerCase() || 'identity';
    const body = await decompress(await readBody(req, max), encoding, max);
    const batch = decode(body, format, opts.spanBytes === true);
    batch.encoding = encoding;
    batch.remoteAddress = req.socket.remoteAddress;
    const extra = opts.onBatch(batch) || {};
    const rejected = batch.rejectedSpans + (extra.rejectedSpans ?? 0);
    const message = [...batch.problems.slice(0, 5), extra.errorMessage].filter(Boolean).join('; ');
    const partial = rejected || message ? { rejectedSpans: rejected, errorMessage: message } : undefined;
    if (format === 'protobuf') send(res, 200, 'application/x-protobuf', encodeExportResponse(partial));
    else
      send(
        res,
        200,
        'application/json',
        JSON.stringify(partial ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage: message } } : {}),
      );
  } catch (e) {
    if (e instanceof HttpError) return fail(res, req, format, e, opts);
    throw e;
  }
}

function decode(body: Buffer, format: Format, spanBytes: boolean): ReceivedBatch {
  if (format === 'protobuf') {
    try {
      const r = decodeOtlpProtobuf(body, { spanBytes });
      return { ...r, format, encoding: 'identity', spanCount: countSpans(r.resourceSpans) };
    } catch (e) {
      throw new HttpError(400, INVALID_ARGUMENT, errorMessage(e));
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, INVALID_ARGUMENT, `body is not valid JSON: ${errorMessage(e)}`);
  }
  const r = normalizeOtlpJson(json, { idEncoding: 'auto' });
  if (!r.recognized)
    throw new HttpError(
      400,
      INVALID_ARGUMENT,
      `not an OTLP ExportTraceServiceRequest: ${r.problems[0] ?? 'unrecognized JSON'}`,
    );
  return {
    resourceSpans: r.resourceSpans,
    problems: r.problems,
    rejectedSpans: r.rejectedSpans,
    format,
    encoding: 'identity',
    spanCount: countSpans(r.resourceSpans),
  };
}

export function countSpans(resourceSpans: OtlpResourceSpans[]): number {
  let n = 0;
  for (const rs of resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    return Promise.reject(
      new HttpError(413, RESOURCE_EXHAUSTED, `body of ${declared} bytes exceeds the ${max}-byte limit`),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size <= max) {
        chunks.push(c);
        return;
      }
      req.off('data', onData);
      chunks.length = 0;
      reject(new HttpError(413, RESOURCE_EXHAUSTED, `body exceeds the ${max}-byte limit`));
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', (e) => reject(new HttpError(400, INVALID_ARGUMENT, `request failed: ${e.message}`)));
  });
}

async function decompress(body: Buffer, encoding: string, max: number): Promise<Buffer> {
  const enc = encoding;
  if (enc === 'identity') return body;
  const fn = enc === 'gzip' || enc === 'x-gzip' ? gunzipAsync : enc === 'deflate' ? inflateAsync : undefined;
  if (!fn)
    throw new HttpError(415, INVALID_ARGUMENT, `unsupported Content-Encoding "${enc.slice(0, 50)}"; use gzip or none`);
  try {
    return await fn(body, { maxOutputLength: max });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
      throw new HttpError(413, RESOURCE_EXHAUSTED, `decompressed body exceeds the ${max}-byte limit`);
    throw new HttpError(400, INVALID_ARGUMENT, `body is not valid ${enc}: ${errorMessage(e)}`);
  }
}

function fail(
  res: ServerResponse,
  req: IncomingMessage,
  format: Format | undefined,
  e: HttpError,
  opts: OtlpReceiverOptions,
): void {
  opts.onError?.(e.status, e.message);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e.status === 413) {
    // Do not read the rest of an oversized body: answer and close the connection.
    res.setHeader('Connection', 'close');
    res.on('finish', () => req.socket.destroySoon?.());
  } else if (!req.complete) {
    req.resume(); // an unread body would otherwise stall a keep-alive connection
  }
  if (format === 'protobuf') send(res, e.status, 'application/x-protobuf', encodeRpcStatus(e.code, e.message));
  else send(res, e.status, 'application/json', JSON.stringify({ code: e.code, message: e.message }));
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export interface RunningReceiver {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts a plain OTLP/HTTP receiver (for tests and tools); the trace store pod uses createOtlpHandler directly. */
export async function startOtlpReceiver(
  host: string,
  port: number,
  opts: OtlpReceiverOptions,
): Promise<RunningReceiver> {
  const server = createServer(createOtlpHandler(opts));
  await listen(server, host, port);
  const actual = (server.address() as { port: number }).port;
  return { server, port: actual, url: `http://${host}:${actual}`, close: () => closeServer(server) };
}

export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
