// Reads pod logs through the API (`pods/log`), with timestamps so lines can be placed in time.
import type { KubeRequester } from './request';

export interface PodLogLine {
  time?: Date;
  timeUnixNano?: bigint;
  text: string;
}

export async function readPodLog(
  api: KubeRequester,
  ns: string,
  pod: string,
  opts: { container?: string; sinceTime?: Date; tailLines?: number; limitBytes?: number; signal?: AbortSignal } = {},
): Promise<PodLogLine[]> {
  const res = await api.request({
    path: `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(pod)}/log`,
    query: {
      timestamps: true,
      container: opts.container,
      // sinceTime has one-second resolution in the API; callers filter the rest by timestamp.
      sinceTime: opts.sinceTime
        ? new Date(Math.floor(opts.sinceTime.getTime() / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
        : undefined,
      tailLines: opts.tailLines,
      limitBytes: opts.limitBytes ?? 8 * 1024 * 1024,
    },
    signal: opts.signal,
  });
  if (res.status !== 200) {
    const { statusError } = await import('./errors');
    throw statusError(res.status, res.body, `pods/${pod}/log`, api.config);
  }
  return splitTimestamped(res.body.toString('utf8'));
}

export function splitTimestamped(text: string): PodLogLine[] {
  const out: PodLogLine[] = [];
  // A burst reads tens of MB of log whose timestamps share their second with the lines around them: the second is
  // parsed once, and only the fraction per line (the regex and Date.parse per line were most of a read's cost).
  let second = '';
  let secondMs = NaN;
  let secondNs = 0n;
  for (let from = 0; from < text.length;) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    const raw = text.slice(from, to);
    from = to + 1;
    if (!raw) continue;
    const sp = raw.indexOf(' ');
    // The common form: UTC, as the API server writes it (2026-12-06T02:05:04.123456789Z).
    if (sp >= 20 && sp <= 30 && raw.charCodeAt(sp - 1) === 90 /* Z */ && (sp === 20 || raw[19] === '.')) {
      const head = raw.slice(0, 19);
      if (head !== second) {
        const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(head) ? Date.parse(`${head}Z`) : NaN;
        second = head;
        secondMs = ms;
        secondNs = Number.isNaN(ms) ? 0n : BigInt(ms) * 1_000_000n;
      }
      const frac = sp === 20 ? '' : raw.slice(20, sp - 1);
      if (!Number.isNaN(secondMs) && frac.length <= 9 && /^\d*$/.test(frac) && (sp === 20 || frac.length > 0)) {
        const nanos = frac ? Number(frac) * 10 ** (9 - frac.length) : 0;
        out.push({
          time: new Date(secondMs + Math.floor(nanos / 1e6)),
          timeUnixNano: secondNs + BigInt(nanos),
          text: raw.slice(sp + 1),
        });
        continue;
      }
    }
    out.push(slowLine(raw));
  }
  return out;
}

/** Any other timestamp form (a zone offset), or none. */
function slowLine(raw: string): PodLogLine {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2}) (.*)$/.exec(raw);
  if (!m) return { text: raw };
  const frac = (m[2] ?? '.0').slice(1).padEnd(9, '0').slice(0, 9);
  const base = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(base)) return { text: raw };
  return {
    time: new Date(base + Number(frac.slice(0, 3))),
    timeUnixNano: BigInt(base) * 1_000_000n + BigInt(frac),
    text: m[4],
  };
}
