// One Zipkin v2 span ({traceId, id, parentId, name, kind, timestamp, duration, localEndpoint, remoteEndpoint,
// annotations, tags, shared}) to a model span.
import type { Attributes, Diagnostic, Span, SpanKind, SpanOrigin, SpanStatus } from '../../trace/model';
import { explicitLayer, guessLayer, isLayer } from '../../io/group';
import { describe, idString, isObject, microsToNano, setKey } from '../../io/values';

export interface ZipkinSpan {
  traceId: string;
  span: Span;
  shared: boolean;
  /** The endpoint the span was reported from, kept apart so a merged server half can record it. */
  local: { service?: string; address?: string; port?: number };
  hasTimestamp: boolean;
}

const KINDS: Record<string, SpanKind> = {
  CLIENT: 'client',
  SERVER: 'server',
  PRODUCER: 'producer',
  CONSUMER: 'consumer',
};

export function zipkinSpan(
  raw: unknown,
  where: string,
  origin: SpanOrigin,
  diag: (traceId: string | undefined, d: Diagnostic) => void,
): ZipkinSpan | undefined {
  if (!isObject(raw)) {
    diag(undefined, {
      code: 'zipkin-bad-span',
      severity: 'warning',
      message: `${where} is ${describe(raw)}, not a span object; it was skipped`,
    });
    return undefined;
  }
  let traceId = idString(raw.traceId);
  if (traceId === undefined) {
    traceId = 'missing-trace-id';
    diag(traceId, {
      code: 'zipkin-missing-trace-id',
      severity: 'warning',
      message: `${where} has no traceId; it is grouped under "${traceId}"`,
    });
  }
  const report = (d: Diagnostic) => diag(traceId, d);
  let spanId = idString(raw.id);
  if (spanId === undefined) {
    spanId = `missing-span-id-${where}`;
    report({
      code: 'zipkin-missing-span-id',
      severity: 'warning',
      message: `${where} has no id; it is kept as "${spanId}"`,
      spanId,
    });
  }
  const start = raw.timestamp === undefined ? undefined : microsToNano(raw.timestamp);
  if (start === undefined) {
    report({
      code: 'zipkin-bad-time',
      severity: 'warning',
      spanId,
      message:
        `span ${spanId} has ` +
        `${raw.timestamp === undefined ? 'no timestamp' : `an invalid timestamp (${describe(raw.timestamp)})`}; it is placed at 0`,
    });
  }
  const dur = raw.duration === undefined ? '0' : microsToNano(raw.duration);
  if (dur === undefined)
    report({
      code: 'zipkin-bad-time',
      severity: 'warning',
      spanId,
      message: `span ${spanId} has an invalid duration (${describe(raw.duration)}); it is taken as 0`,
    });
  const startNs = start ?? '0';

  const attributes: Attributes = {};
  if (raw.tags !== undefined && raw.tags !== null && !isObject(raw.tags)) {
    report({
      code: 'zipkin-bad-tag',
      severity: 'info',
      spanId,
      message: `span ${spanId} has tags that are not an object; they were skipped`,
    });
  } else if (isObject(raw.tags)) {
    for (const [k, v] of Object.entries(raw.tags))
      setKey(attributes, k, typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));
  }
  const local = endpoint(raw.localEndpoint);
  const remote = endpoint(raw.remoteEndpoint);
  setIfAbsent(attributes, 'network.local.address', local.address);
  setIfAbsent(attributes, 'network.local.port', local.port);
  setIfAbsent(attributes, 'network.peer.address', remote.address);
  setIfAbsent(attributes, 'network.peer.port', remote.port);
  setIfAbsent(attributes, 'peer.service', remote.service);

  let status: SpanStatus = 'unset';
  const code = attributes['otel.status_code'];
  if (typeof code === 'string' && /^(ok|error)$/i.test(code)) {
    status = code.toLowerCase() as SpanStatus;
    delete attributes['otel.status_code'];
  }
  // Zipkin marks failure with an `error` tag whose value is the message (often empty); keep the message.
  if ('error' in attributes) {
    status = 'error';
    if (attributes.error === 'true') delete attributes.error;
  }
  const layerTag = attributes['kubetrace.layer'];
  if (isLayer(layerTag)) delete attributes['kubetrace.layer'];

  const kind = typeof raw.kind === 'string' ? (KINDS[raw.kind.toUpperCase()] ?? 'internal') : 'internal';
  const service = local.service ?? 'unknown';
  const name = typeof raw.name === 'string' ? raw.name : '';
  const span: Span = {
    spanId,
    name,
    service,
    layer: isLayer(layerTag) ? layerTag : guessLayer(service, name, kind, attributes),
    kind,
    startTimeUnixNano: startNs,
    endTimeUnixNano: (BigInt(startNs) + BigInt(dur ?? '0')).toString(),
    status,
    attributes,
    events: annotations(raw.annotations, spanId, report),
    links: [],
    origin,
  };
  if (isLayer(layerTag)) explicitLayer.add(span);
  const parent = idString(raw.parentId);
  if (parent !== undefined && parent !== '' && !/^0+$/.test(parent)) span.parentSpanId = parent;
  return { traceId, span, shared: raw.shared === true, local, hasTimestamp: start !== undefined };
}

function endpoint(e: unknown): { service?: string; address?: string; port?: number } {
  if (!isObject(e)) return {};
  const out: { service?: string; address?: string; port?: number } = {};
  if (typeof e.serviceName === 'string' && e.serviceName) out.service = e.serviceName;
  const addr =
    typeof e.ipv4 === 'string' && e.ipv4 ? e.ipv4 : typeof e.ipv6 === 'string' && e.ipv6 ? e.ipv6 : undefined;
  if (addr) out.address = addr;
  if (typeof e.port === 'number' && Number.isInteger(e.port) && e.port > 0) out.port = e.port;
  return out;
}

function setIfAbsent(a: Attributes, key: string, v: string | number | undefined): void {
  if (v !== undefined && !(key in a)) a[key] = v;
}

function annotations(list: unknown, spanId: string, report: (d: Diagnostic) => void): Span['events'] {
  if (!Array.isArray(list)) return [];
  const out: Span['events'] = [];
  for (const a of list) {
    const time = isObject(a) ? microsToNano(a.timestamp) : undefined;
    if (!isObject(a) || time === undefined) {
      report({
        code: 'zipkin-bad-annotation',
        severity: 'info',
        spanId,
        message: `span ${spanId} has an annotation without a valid timestamp; it was skipped`,
      });
      continue;
    }
    out.push({
      timeUnixNano: time,
      name: typeof a.value === 'string' ? a.value : String(a.value ?? ''),
      attributes: {},
    });
  }
  return out;
}
