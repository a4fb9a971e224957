// Small value parsers shared by the text and JSON formats. None of them throws.

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

const TIME_LOCAL = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** `$time_local`, e.g. `27/Nov/2026:10:12:13 +0000`, to Unix milliseconds. */
export function parseTimeLocal(s: string): number | undefined {
  // A log's lines come about a hundred to the second, so the last answer is usually the next one too.
  if (s === lastTimeLocal) return lastTimeMs;
  lastTimeMs = parseTimeLocalOnce(s);
  lastTimeLocal = s;
  return lastTimeMs;
}

let lastTimeLocal: string | undefined;
let lastTimeMs: number | undefined;

function parseTimeLocalOnce(s: string): number | undefined {
  const m = TIME_LOCAL.exec(s);
  if (!m) return undefined;
  const month = MONTHS[m[2]];
  if (month === undefined) return undefined;
  const [day, year, hh, mm, ss] = [m[1], m[3], m[4], m[5], m[6]].map(Number);
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  const offsetMin = (Number(m[8]) * 60 + Number(m[9])) * (m[7] === '-' ? -1 : 1);
  return Date.UTC(year, month, day, hh, mm, ss) - offsetMin * 60_000;
}

/** ISO 8601 (`$time_iso8601`, RFC 3339 with fractions) to Unix milliseconds. */
export function parseIsoTime(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/.test(s)) return undefined;
  const ms = Date.parse(s.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

export const isDash = (s: string | undefined): boolean => s === undefined || s === '-' || s === '';

export function parseUint(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return undefined;
  return Number(s);
}

/** Decimal seconds such as `0.041` or `1795774333.283`. */
export function parseSeconds(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{1,12}(\.\d{1,9})?$/.test(s)) return undefined;
  return Number(s);
}

/** Decimal seconds to nanoseconds without going through a float, so `$msec` stays exact. */
export function secondsToNanoExact(s: string): bigint | undefined {
  const m = /^(\d{1,12})(?:\.(\d{1,9}))?$/.exec(s.trim());
  if (!m) return undefined;
  // One BigInt from the digits, the fraction padded to nanoseconds (a leading zero is harmless).
  return BigInt(m[1] + (m[2] ?? '').padEnd(9, '0'));
}

/** Splits `$request` (`GET /path?q HTTP/1.1`) into its parts. `$uri` may hold spaces, so the middle takes them. */
export function splitRequest(request: string): { method?: string; uri?: string; protocol?: string } {
  const full = /^([A-Za-z][A-Za-z0-9_.-]*) (.+) (HTTP\/\d(?:\.\d)?)$/.exec(request);
  if (full) return { method: full[1], uri: full[2], protocol: full[3] };
  const short = /^([A-Za-z][A-Za-z0-9_.-]*) (\S+)$/.exec(request);
  if (short) return { method: short[1], uri: short[2] };
  return {};
}

/** Undoes nginx's default access-log escaping (`\xHH` for `"`, `\` and bytes outside 0x20-0x7e) and JSON-style `\"`/`\\`. */
export function unescapeNginx(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) {
      out += decodeBytes(Buffer.from(bytes));
      bytes = [];
    }
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) {
      const n = s[i + 1];
      if ((n === 'x' || n === 'X') && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
        bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
        i += 3;
        continue;
      }
      flush();
      if (n === '"' || n === '\\') {
        out += n;
        i++;
        continue;
      }
      out += c;
      continue;
    }
    flush();
    out += c;
  }
  flush();
  return out;
}

/** Keeps error messages short when a field is huge. */
export const clip = (s: string, max = 60): string => (s.length > max ? `${s.slice(0, max)}…` : s);

const UTF8 = new TextDecoder('utf-8', { fatal: true });

// Escaped bytes are usually UTF-8; header values that are not are read as Latin-1, as HTTP/1.1 historically did.
function decodeBytes(b: Buffer): string {
  try {
    return UTF8.decode(b);
  } catch {
    return b.toString('latin1');
  }
}
