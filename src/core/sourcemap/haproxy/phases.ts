// The HAProxy phase index: which HAProxy function each span made from its `option httplog` line stands for
// (src/core/ingest/haproxy-log/spans.ts). Function names only; lines are always looked up in the source of the
// detected version (`scan.ts`). Every function below is defined, in the file named, in Debian bookworm's 2.6.12 and
// trixie's 3.0.11 (test/unit/sourcemap-haproxy.test.ts checks both trees).

export interface HaproxyFn {
  file: string;
  fn: string;
}
export interface HaproxyPhase {
  /** What the span's time is in HAProxy's terms (its httplog timer). */
  what: string;
  main: HaproxyFn;
  more: HaproxyFn[];
}

/** The branches this index was checked against. */
export const HAPROXY_INDEX_VERSIONS = { from: [2, 6], to: [3, 0] } as const;

const ANA = 'src/http_ana.c';
const BACK = 'src/backend.c';
const QUEUE = 'src/queue.c';
const STREAM = 'src/stream.c';
const f = (file: string, fn: string): HaproxyFn => ({ file, fn });

/** Keys are the span names haproxySpans gives. */
export const HAPROXY_PHASE_INDEX: Readonly<Record<string, HaproxyPhase>> = {
  // The whole request; TR is the wait for the complete request headers, which http_wait_for_request parses.
  haproxy: {
    what: 'the request (TR: waiting for and parsing the request headers)',
    main: f(ANA, 'http_wait_for_request'),
    more: [f(ANA, 'http_process_req_common'), f(ANA, 'http_process_request'), f(STREAM, 'process_stream')],
  },
  // A try at a server: a server is chosen (and the stream queued if it is full), then connected to.
  'upstream.attempt': {
    what: 'the try at a server',
    main: f(BACK, 'back_try_conn_req'),
    more: [f(BACK, 'assign_server_and_queue'), f(BACK, 'connect_server'), f(BACK, 'back_handle_st_cer')],
  },
  // Tw: time in the server's or the backend's queue.
  queue: {
    what: 'Tw: waiting in the queue',
    main: f(QUEUE, 'pendconn_add'),
    more: [f(QUEUE, 'process_srv_queue'), f(QUEUE, 'pendconn_dequeue'), f(BACK, 'assign_server_and_queue')],
  },
  // Tc: from connect_server until the connection is established.
  'upstream.connect': {
    what: 'Tc: connecting to the server',
    main: f(BACK, 'connect_server'),
    more: [f(BACK, 'back_handle_st_con'), f(BACK, 'back_handle_st_rdy'), f(STREAM, 'back_establish')],
  },
  // Tr: until the server's response headers are complete.
  'upstream.header': {
    what: "Tr: waiting for the server's response headers",
    main: f(ANA, 'http_wait_for_response'),
    more: [f(ANA, 'http_process_res_common')],
  },
  // The rest of Ta: the response body is forwarded, then the line is logged.
  'upstream.response': {
    what: 'the response body (Ta after Tr)',
    main: f(ANA, 'http_response_forward_body'),
    more: [f('src/log.c', 'strm_log')],
  },
};

export function haproxyPhase(spanName: string): HaproxyPhase | undefined {
  return Object.prototype.hasOwnProperty.call(HAPROXY_PHASE_INDEX, spanName)
    ? HAPROXY_PHASE_INDEX[spanName]
    : undefined;
}

/** Every distinct (file, function) the index names: what the tests check against the source. */
export function allHaproxyFunctions(): HaproxyFn[] {
  const seen = new Map<string, HaproxyFn>();
  for (const e of Object.values(HAPROXY_PHASE_INDEX))
    for (const x of [e.main, ...e.more]) seen.set(`${x.file}:${x.fn}`, x);
  return [...seen.values()];
}

/** Whether a version is inside the branches this index was checked against. */
export function haproxyIndexCovers(version: string | undefined): boolean {
  const m = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2])];
  const cmp = (a: readonly number[], b: readonly number[]) => a[0] - b[0] || a[1] - b[1];
  return cmp(v, HAPROXY_INDEX_VERSIONS.from) >= 0 && cmp(v, HAPROXY_INDEX_VERSIONS.to) <= 0;
}
