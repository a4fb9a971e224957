// Where the nginx span and its upstream tries sit in time. All math in BigInt nanoseconds.
import type { AccessLogRecord, UpstreamTry } from './types';
import { secondsToNanoExact } from './values';

export type Placement = 'exact' | 'approximate' | 'unknown';

export interface Window {
  startUnixNano: bigint;
  endUnixNano: bigint;
}

export const secNs = (s: number | undefined): bigint | undefined =>
  s === undefined || !Number.isFinite(s) || s < 0 ? undefined : BigInt(Math.round(s * 1e6)) * 1000n;

export interface NginxPlacement extends Window {
  placement: Placement;
  how: string;
}

/**
 * `$msec` is the log-write time (ms resolution): the span ends there and starts `$request_time` earlier.
 * Without it, `$time_local` has 1 s resolution, so the span goes inside the client's window when there is one
 * (centred: the request and the response cross the same network), else it ends at `$time_local`.
 */
export function placeNginx(rec: AccessLogRecord, clientWindow?: Window): NginxPlacement {
  const dur = exactSeconds(rec.vars.request_time) ?? secNs(rec.requestTime) ?? 0n;
  const msec = rec.vars.msec !== undefined ? secondsToNanoExact(rec.vars.msec) : secNs(rec.msec);
  if (msec !== undefined) {
    return {
      startUnixNano: nonNegative(msec - dur),
      endUnixNano: msec,
      placement: 'exact',
      how: 'ends at $msec, lasts $request_time',
    };
  }
  if (clientWindow && clientWindow.endUnixNano >= clientWindow.startUnixNano) {
    const room = clientWindow.endUnixNano - clientWindow.startUnixNano;
    const d = dur > room ? room : dur;
    const start = clientWindow.startUnixNano + (room - d) / 2n;
    return {
      startUnixNano: start,
      endUnixNano: start + d,
      placement: 'approximate',
      how: "centred in the client's request window ($time_local has 1 s resolution and there is no $msec)",
    };
  }
  if (rec.timeUnixMs !== undefined && Number.isFinite(rec.timeUnixMs) && rec.timeUnixMs >= 0) {
    const end = BigInt(Math.round(rec.timeUnixMs)) * 1_000_000n;
    return {
      startUnixNano: nonNegative(end - dur),
      endUnixNano: end,
      placement: 'approximate',
      how: 'ends at $time_local (1 s resolution)',
    };
  }
  return {
    startUnixNano: 0n,
    endUnixNano: dur,
    placement: 'unknown',
    how: 'the line has no time; only durations are meaningful',
  };
}

export interface AttemptPlacement extends Window {
  connect?: Window;
  header?: Window;
  /** True when the header span stands for waiting on a header that never came (`$upstream_header_time` is `-`). */
  headerMissing?: boolean;
  response?: Window;
}

/**
 * Tries run one after another and the last ends as nginx finalizes, so they are laid back to back ending at
 * the nginx span's end. If their sum exceeds `$request_time` (each value is rounded to 1 ms), they are scaled
 * to fit. Inside a try, connect/header/response all count from `u->start_time`:
 * connect = [s, s+ct], header = [s+ct, s+ht], response = [s+ht, s+rt].
 */
export function placeAttempts(tries: UpstreamTry[], nginx: Window): { attempts: AttemptPlacement[]; scaled: boolean } {
  const durs = tries.map((t) => secNs(t.responseTime) ?? 0n);
  const total = durs.reduce((a, b) => a + b, 0n);
  const room = nginx.endUnixNano - nginx.startUnixNano;
  const scaled = total > room;
  // Scaling is x * room / total; without it num = den = 1.
  const num = scaled ? room : 1n;
  const den = scaled ? (total === 0n ? 1n : total) : 1n;
  let cursor = nginx.endUnixNano - (total * num) / den;
  const attempts = tries.map((t, i) => {
    const start = cursor;
    const end = i === tries.length - 1 ? nginx.endUnixNano : start + (durs[i] * num) / den;
    cursor = end;
    const p: AttemptPlacement = { startUnixNano: start, endUnixNano: end };
    const ct = offset(t.connectTime, start, end, num, den);
    let ht = offset(t.headerTime, start, end, num, den);
    // Header time includes connect time; a line saying otherwise (hand-edited, or a clock step) still nests.
    if (ht !== undefined && ct !== undefined && ht < ct) ht = ct;
    const rt = t.responseTime === undefined ? undefined : end;
    if (ct !== undefined) p.connect = { startUnixNano: start, endUnixNano: ct };
    if (ht !== undefined) {
      p.header = { startUnixNano: ct ?? start, endUnixNano: ht };
      if (rt !== undefined) p.response = { startUnixNano: ht, endUnixNano: rt };
    } else if (ct !== undefined && rt !== undefined) {
      p.header = { startUnixNano: ct, endUnixNano: rt };
      p.headerMissing = true;
    }
    return p;
  });
  return { attempts, scaled };
}

// A phase boundary: `sec` after the attempt start, scaled like the attempt, kept inside it.
function offset(sec: number | undefined, start: bigint, end: bigint, num: bigint, den: bigint): bigint | undefined {
  const ns = secNs(sec);
  if (ns === undefined) return undefined;
  const x = start + (ns * num) / den;
  return x < start ? start : x > end ? end : x;
}

const nonNegative = (x: bigint): bigint => (x < 0n ? 0n : x);

function exactSeconds(s: string | undefined): bigint | undefined {
  return s === undefined ? undefined : secondsToNanoExact(s);
}
