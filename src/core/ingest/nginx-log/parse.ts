// One access-log line → AccessLogRecord, whichever documented format wrote it. Never throws.
import { parseJsonLine } from './json-format';
import { parseTextLine } from './text-format';
import type { ParseResult } from './types';
import { errorMessage } from '../../errors';

export type { AccessLogFormat, AccessLogRecord, UpstreamTry, ParseResult } from './types';

/** Longer lines are refused rather than parsed: nginx's own limits keep real lines far below this. */
export const MAX_LINE_CHARS = 1 << 20;

// `kubectl logs --timestamps` and container runtimes put an RFC 3339 time before the line.
const RUNTIME_PREFIX =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})) (?:(?:stdout|stderr) [FP] )?/;

export function parseAccessLogLine(line: string): ParseResult {
  try {
    if (typeof line !== 'string') return { error: 'not a string' };
    if (line.length > MAX_LINE_CHARS)
      return { error: `line is ${line.length} characters long, over the ${MAX_LINE_CHARS} limit` };
    let body = line.replace(/\r?\n$/, '');
    if (!body.trim()) return { error: 'empty line' };
    const prefix = RUNTIME_PREFIX.exec(body);
    if (prefix) body = body.slice(prefix[0].length);
    const result = body.trimStart().startsWith('{') ? parseJsonLine(body.trim()) : parseTextLine(body);
    if ('record' in result && prefix) result.record.extra.logTimestamp = prefix[1];
    return result;
  } catch (e) {
    // A bug here must not cost the caller the rest of the log; say what happened instead.
    return { error: `internal parser error: ${errorMessage(e)}` };
  }
}

// The address part may be an X-Forwarded-For list, follow a $host, or be ingress-nginx 0.8-0.21's `[$the_real_ip]`.
const TEXT_SHAPE =
  /^(?:\[[^\]]*\] |(?:\S+ ){1,12}?)- (?:\[[^\]]*\] - )?\S+ \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "/;
const JSON_SHAPE = /^\s*\{.*"(?:status|request|request_uri|uri|path)"\s*:/i;

/** Cheap test for "this line was meant to be an access-log line" (so a parse failure is worth reporting). */
export function looksLikeAccessLog(line: string): boolean {
  if (typeof line !== 'string' || !line) return false;
  const head = line.replace(RUNTIME_PREFIX, '');
  if (head.trimStart().startsWith('{')) return JSON_SHAPE.test(head.length > 65536 ? head.slice(0, 65536) : head);
  return TEXT_SHAPE.test(head.slice(0, 4096));
}
