// The lines of a backend pod's log that belong to one request.
import { parseAppLogLine } from './parse';
import type { AppLogLine } from './types';

/**
 * Lines carrying the request id or the trace id. A structured line must carry it in an id field (so an id that
 * happens to be a prefix of another does not match); plain text must hold it as a whole word.
 */
export function matchAppLogLines(lines: Iterable<string>, ids: { requestId: string; traceId: string }): AppLogLine[] {
  const rid = ids.requestId ?? '';
  const tid = (ids.traceId ?? '').toLowerCase();
  const out: AppLogLine[] = [];
  for (const line of lines) {
    if (typeof line !== 'string') continue;
    const hasRid = rid !== '' && line.includes(rid);
    const hasTid = tid !== '' && line.toLowerCase().includes(tid);
    if (!hasRid && !hasTid) continue;
    const p = parseAppLogLine(line);
    if (!p) continue;
    if (p.requestId !== undefined || p.traceId !== undefined) {
      if ((rid && p.requestId === rid) || (tid && p.traceId === tid)) out.push(p);
    } else if ((hasRid && wholeWord(line, rid)) || (hasTid && wholeWord(line.toLowerCase(), tid))) {
      out.push(p);
    }
  }
  return out;
}

function wholeWord(hay: string, needle: string): boolean {
  const isWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_-]/.test(c);
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) {
    if (!isWord(hay[i - 1]) && !isWord(hay[i + needle.length])) return true;
  }
  return false;
}
