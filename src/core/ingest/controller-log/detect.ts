// Which log a file holds, from a sample of its lines (the first 200 that are not blank), not from its first line:
// a controller's `kubectl logs` starts with a banner and klog lines before any request.
import { classifyLine, FORMAT_FAMILIES, type FormatFamily, type LineKind } from './classify';

export const SAMPLE_LINES = 200;

export interface LogSample {
  family?: FormatFamily;
  /** Lines of each class in the sample. */
  kinds: Partial<Record<LineKind, number>>;
  families: Partial<Record<FormatFamily, number>>;
  lines: number;
}

/** `complete`: the text is the whole file, so a last line without a newline is whole too. */
export function sampleLog(text: string, complete = false): LogSample {
  const out: LogSample = { kinds: {}, families: {}, lines: 0 };
  let start = 0;
  while (out.lines < SAMPLE_LINES && start < text.length) {
    let end = text.indexOf('\n', start);
    // The last line of a head may be cut: only whole lines count.
    if (end < 0) {
      if (!complete) break;
      end = text.length;
    }
    const line = text.slice(start, end);
    start = end + 1;
    const c = classifyLine(line);
    if (c.kind === 'blank') continue;
    out.lines++;
    out.kinds[c.kind] = (out.kinds[c.kind] ?? 0) + 1;
    if (c.kind === 'access') out.families[c.family] = (out.families[c.family] ?? 0) + 1;
  }
  let best = 0;
  for (const f of FORMAT_FAMILIES) {
    const k = out.families[f] ?? 0;
    if (k > best) [best, out.family] = [k, f];
  }
  return out;
}

/** A sample that is a log even with no request in it: every line is something a controller prints. */
export function looksLikeControllerLog(s: LogSample): boolean {
  if (!s.lines) return false;
  const known = s.lines - (s.kinds.other ?? 0) - (s.kinds.json ?? 0);
  return known > 0 && known >= s.lines / 2;
}

export function describeSample(s: LogSample): string {
  return Object.entries(s.kinds)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}
