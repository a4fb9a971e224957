// What each backend's query-by-id answer means: the trace, "not there yet", "this API is not here", or a fault.
import type { Diagnostic, SpanBatch } from '../../trace/model';
import { jaegerToSpanBatch } from '../jaeger/reader';
import { readOtlpJsonBody, readTempoBody } from '../tempo/reader';
import { zipkinToSpanBatch } from '../zipkin/reader';
import type { Backend, TransportResponse } from './types';

export type Api = 'jaeger-v1' | 'jaeger-v3' | 'tempo' | 'zipkin';

export type Answer =
  | { kind: 'trace'; result: SpanBatch }
  | { kind: 'not-found' }
  | { kind: 'unsupported'; why: string } // e.g. an old Jaeger without api_v3: try the next API
  | { kind: 'fault'; diagnostic: Diagnostic; retry: boolean };

export function requestFor(
  api: Api,
  traceId: string,
  backend: Backend,
): { path: string; headers: Record<string, string> } {
  const id = encodeURIComponent(traceId);
  switch (api) {
    case 'jaeger-v3':
      return { path: `/api/v3/traces/${id}`, headers: { accept: 'application/json' } };
    case 'jaeger-v1':
      return { path: `/api/traces/${id}`, headers: { accept: 'application/json' } };
    case 'tempo':
      return {
        path: `/api/traces/${id}`,
        headers: { accept: backend.accept === 'json' ? 'application/json' : 'application/protobuf' },
      };
    case 'zipkin':
      return { path: `/api/v2/trace/${id}`, headers: { accept: 'application/json' } };
  }
}

const looksJson = (b: Buffer) => /^\s*[[{]/.test(b.subarray(0, 64).toString('latin1'));

export function readAnswer(api: Api, res: TransportResponse, where: string): Answer {
  const ct = res.headers['content-type'] ?? '';
  if (res.status === 404) {
    // Jaeger without api_v3 answers its UI's 404 page (or a plain "404 page not found"): not JSON.
    if (api === 'jaeger-v3' && !looksJson(res.body))
      return { kind: 'unsupported', why: 'no api_v3 here (404 without a JSON body)' };
    return { kind: 'not-found' };
  }
  if (res.status >= 500 || (res.status >= 400 && res.status !== 404)) {
    const text = res.body.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ').trim();
    const retry = res.status >= 500 || res.status === 429 || res.status === 408;
    return {
      kind: 'fault',
      retry,
      diagnostic: {
        code: 'backend-error',
        severity: 'warning',
        message: `${where} answered HTTP ${res.status}${text ? `: ${text}` : ''}`,
      },
    };
  }
  if (res.status < 200 || res.status >= 300) {
    return {
      kind: 'fault',
      retry: true,
      diagnostic: { code: 'backend-error', severity: 'warning', message: `${where} answered HTTP ${res.status}` },
    };
  }
  // The Jaeger UI serves index.html for paths it does not know, with 200.
  if (api === 'jaeger-v3' && /html/i.test(ct)) return { kind: 'unsupported', why: 'api_v3 answered with an HTML page' };
  if (!res.body.length) return malformed(where, 'an empty body');
  let result: SpanBatch;
  switch (api) {
    case 'jaeger-v1':
      result = jaegerToSpanBatch(res.body, 'jaeger');
      break;
    case 'jaeger-v3':
      result = readOtlpJsonBody(res.body, 'jaeger');
      break;
    case 'tempo':
      result = readTempoBody(res.body, ct, 'tempo');
      break;
    case 'zipkin':
      result = zipkinToSpanBatch(res.body, 'zipkin');
      break;
  }
  const broken = result.diagnostics.find((d) => d.severity === 'error' && /malformed/.test(d.code));
  if (broken && !result.spans.length) return malformed(where, broken.message);
  // Jaeger's {"data": [], "errors": [{"code": 404, ...}]} is its way of saying "not found".
  if (
    !result.spans.length &&
    result.diagnostics.some((d) => d.code === 'jaeger-error' && /\b404\b|not found/i.test(d.message))
  )
    return { kind: 'not-found' };
  if (!result.spans.length) return { kind: 'not-found' };
  if (broken) broken.code = 'backend-malformed';
  return { kind: 'trace', result };
}

function malformed(where: string, why: string): Answer {
  return {
    kind: 'fault',
    retry: true,
    diagnostic: {
      code: 'backend-malformed',
      severity: 'warning',
      message: `${where} sent an answer that could not be read: ${why}`,
    },
  };
}
