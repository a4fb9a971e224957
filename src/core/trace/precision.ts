// How finely each span's times are known. A span from a coarse source is an interval known to within its
// resolution, so an offset from its parent smaller than that is rounding, not clock skew.
import type { Span, SpanOrigin } from './model';

export const MS = 1_000_000n;
/** The finest unit the trace stores keep (Jaeger and Zipkin store microseconds). */
export const FINE = 1_000n;

// Sources that log time in milliseconds: nginx's `$msec`, `$request_time` and upstream times; app log lines.
const COARSE_ORIGINS: Partial<Record<SpanOrigin, string>> = {
  'nginx-log': 'the access log',
  'nginx-debug': 'the nginx debug log',
  'app-log': 'the app log',
};

export interface Precision {
  /** The resolution of the span's times, in nanoseconds. */
  resolution: bigint;
  /** Where the times come from, for notes: "the access log", "orders' OTel spans". */
  source: string;
}

/**
 * Log-derived spans have millisecond resolution. So do the spans of a service whose every start time falls on a
 * whole millisecond: the OpenTelemetry JS SDK stamps a span's start with `Date.now()` and only its duration with
 * the high-resolution clock. Everything else is taken as fine (microseconds or better).
 */
export function precisionOf(spans: Span[]): (s: Span) => Precision {
  const wholeMs = new Map<string, boolean>();
  for (const s of spans) {
    if (COARSE_ORIGINS[s.origin]) continue;
    const whole = onWholeMs(s.startTimeUnixNano);
    wholeMs.set(s.service, (wholeMs.get(s.service) ?? true) && whole);
  }
  return (s) => {
    const logged = COARSE_ORIGINS[s.origin];
    if (logged) return { resolution: MS, source: logged };
    if (wholeMs.get(s.service))
      return { resolution: MS, source: `${s.service}'s spans (their start times are whole milliseconds)` };
    return { resolution: FINE, source: `${s.service}'s spans` };
  };
}

function onWholeMs(v: string): boolean {
  try {
    return BigInt(v) % MS === 0n;
  } catch {
    return false;
  }
}
