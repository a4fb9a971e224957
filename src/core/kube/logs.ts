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
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2}) (.*)$/.exec(raw);
    if (!m) {
      out.push({ text: raw });
      continue;
    }
    const frac = (m[2] ?? '.0').slice(1).padEnd(9, '0').slice(0, 9);
    const base = Date.parse(`${m[1]}${m[3]}`);
    if (Number.isNaN(base)) {
      out.push({ text: raw });
      continue;
    }
    out.push({
      time: new Date(base + Number(frac.slice(0, 3))),
      timeUnixNano: BigInt(base) * 1_000_000n + BigInt(frac),
      text: m[4],
    });
  }
  return out;
}
