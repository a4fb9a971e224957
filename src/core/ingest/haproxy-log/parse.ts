// HAProxy `option httplog` lines (HAProxy Kubernetes Ingress Controller, HAProxy Ingress, plain HAProxy):
// `%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq [{%hr}] [{%hs}] "%r"`,
// after an optional syslog header. Timers are milliseconds, -1 when the step was never reached.
import { HAPROXY_SYSLOG, parseLogLine } from '../controller-log/classify';
import { splitRequest } from '../nginx-log/values';

export interface HaproxyRecord {
  client: string;
  clientPort: number;
  /** `[%tr]`: when the first byte of the request arrived, Unix ms (HAProxy logs local time; read as UTC). */
  startUnixMs: number;
  date: string;
  frontend: string;
  backend: string;
  /** `<NOSRV>` when no server was chosen; `<PROMEX>`, `<STATS>`, `<CACHE>` for HAProxy's own applets. */
  server: string;
  /** TR (request headers), Tw (queue), Tc (connect), Tr (response headers), Ta (whole request); -1: not reached. */
  timers: { TR: number; Tw: number; Tc: number; Tr: number; Ta: number };
  /** Ta written as `+N` (option logasap): the line was written before the end. */
  logasap: boolean;
  status: number;
  bytes: number;
  termination: string;
  counters: { ac: number; fc: number; bc: number; sc: number; rc: number; redispatched: boolean };
  queues: { sq: number; bq: number };
  capturedRequest?: string;
  capturedResponse?: string;
  request: string;
  method?: string;
  uri?: string;
  protocol?: string;
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const LINE = new RegExp(
  [
    /^(\S+):(\d{1,5}) /,
    /\[(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})\.(\d{3})\] /,
    /(\S+) ([^\s/]+)\/(\S+) /,
    /(-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/(\+?-?\d+) /,
    /(-?\d+) (\+?\d+) (\S+) (\S+) (\S{4}) /,
    /(\d+)\/(\d+)\/(\d+)\/(\d+)\/(\+?\d+) (\d+)\/(\d+)/,
    /(?: \{([^}]*)\})?(?: \{([^}]*)\})? "(.*?)"?$/,
  ]
    .map((r) => r.source.replace(/^\^/, '').replace(/\$$/, ''))
    .join('')
    .replace(/^/, '^')
    .concat('$'),
);

export function parseHaproxyLine(line: string): { record: HaproxyRecord } | { error: string } {
  return parseLogLine(line, 65536, parseBody);
}

function parseBody(raw: string): { record: HaproxyRecord } | { error: string } {
  const body = raw.slice(HAPROXY_SYSLOG.exec(raw)?.[0].length ?? 0);
  const m = LINE.exec(body);
  if (!m) return { error: explain(body) };
  const month = MONTHS.indexOf(m[4]) / 3;
  if (!Number.isInteger(month)) return { error: `"${m[4]}" is not a month` };
  const [day, year, hh, mi, ss, ms] = [m[3], m[5], m[6], m[7], m[8], m[9]].map(Number);
  if (day < 1 || day > 31 || hh > 23 || mi > 59 || ss > 60)
    return { error: `[${m[0].split('[')[1]?.split(']')[0]}] is not a valid date` };
  const timers = { TR: +m[13], Tw: +m[14], Tc: +m[15], Tr: +m[16], Ta: Number(m[17].replace('+', '')) };
  if (Object.values(timers).some((t) => t < -1 || !Number.isSafeInteger(t)))
    return { error: `timers ${m[13]}/${m[14]}/${m[15]}/${m[16]}/${m[17]} are not -1 or a number of ms` };
  const request = m[32] ?? '';
  const rec: HaproxyRecord = {
    client: m[1],
    clientPort: Number(m[2]),
    startUnixMs: Date.UTC(year, month, day, hh, mi, ss, ms),
    date: `${m[3]}/${m[4]}/${m[5]}:${m[6]}:${m[7]}:${m[8]}.${m[9]}`,
    frontend: m[10],
    backend: m[11],
    server: m[12],
    timers,
    logasap: m[17].startsWith('+'),
    status: Number(m[18]),
    bytes: Number(m[19].replace('+', '')),
    termination: m[22],
    counters: {
      ac: +m[23],
      fc: +m[24],
      bc: +m[25],
      sc: +m[26],
      rc: Number(m[27].replace('+', '')),
      redispatched: m[27].startsWith('+'),
    },
    queues: { sq: +m[28], bq: +m[29] },
    request,
  };
  if (m[30] !== undefined) rec.capturedRequest = m[30];
  if (m[31] !== undefined) rec.capturedResponse = m[31];
  Object.assign(rec, splitRequest(request));
  return { record: rec };
}

function explain(body: string): string {
  if (!/^\S+:\d{1,5} \[/.test(body)) return 'expected `client:port [date]` at the start of an HAProxy httplog line';
  if (!/\] \S+ [^\s/]+\/\S+ /.test(body)) return 'expected `frontend backend/server` after the date';
  if (!/ -?\d+\/-?\d+\/-?\d+\/-?\d+\/\+?-?\d+ /.test(body)) return 'expected the timers TR/Tw/Tc/Tr/Ta';
  return 'expected status, bytes, cookies, termination state, counters and queues after the timers';
}
