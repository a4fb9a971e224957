// The phase index: which nginx function each span Kubetrace makes stands for (docs/ARCHITECTURE.md, "nginx source,
// version by version"). Function names only; lines are always looked up in the source of the
// detected version. Checked against the source of every release a supported controller ships
// (1.19.10 ... 1.31.4, each release tag's src/): every function below is defined, in the file
// named, in each of them, so no name or file depends on the version. The CI tests check the
// Debian trees (1.22.1, 1.26.3, 1.30.6) again, against grep.

export interface NginxFn {
  file: string;
  fn: string;
}
export interface PhaseEntry {
  main: NginxFn;
  more: NginxFn[];
}

export const INDEX_VERSIONS = { from: [1, 19], to: [1, 31] } as const;

const REQ = 'src/http/ngx_http_request.c';
const CORE = 'src/http/ngx_http_core_module.c';
const UP = 'src/http/ngx_http_upstream.c';
const PROXY = 'src/http/modules/ngx_http_proxy_module.c';
const f = (file: string, fn: string): NginxFn => ({ file, fn });

export const PROXY_HANDLER = f(PROXY, 'ngx_http_proxy_handler');

const generic: PhaseEntry = {
  main: f(CORE, 'ngx_http_core_generic_phase'),
  more: [f(CORE, 'ngx_http_core_run_phases')],
};
const rewrite: PhaseEntry = {
  main: f(CORE, 'ngx_http_core_rewrite_phase'),
  more: [f('src/http/modules/ngx_http_rewrite_module.c', 'ngx_http_rewrite_handler')],
};

/** Keys are span names, with phase-group names normalized by `phaseKey`. */
export const NGINX_PHASE_INDEX: Record<string, PhaseEntry> = {
  // The server span: the request as a whole. nginx hands the parsed request to the phase
  // engine in ngx_http_process_request; line and headers are read just before it.
  nginx: {
    main: f(REQ, 'ngx_http_process_request'),
    more: [
      f(REQ, 'ngx_http_process_request_line'),
      f(REQ, 'ngx_http_process_request_headers'),
      f(CORE, 'ngx_http_handler'),
    ],
  },
  // One try. The first try starts in ngx_http_upstream_init_request; every try (first or
  // retry) runs ngx_http_upstream_connect, which pushes the new $upstream_* entry and sets
  // u->start_time, the zero point of the try's timings. Retries come from ngx_http_upstream_next.
  'upstream.attempt': {
    main: f(UP, 'ngx_http_upstream_init_request'),
    more: [
      f(UP, 'ngx_http_upstream_connect'),
      f(UP, 'ngx_http_upstream_next'),
      f(UP, 'ngx_http_upstream_finalize_request'),
    ],
  },
  'upstream.attempt#retry': {
    main: f(UP, 'ngx_http_upstream_next'),
    more: [f(UP, 'ngx_http_upstream_connect'), f(UP, 'ngx_http_upstream_finalize_request')],
  },
  // $upstream_connect_time runs from ngx_http_upstream_connect to ngx_http_upstream_send_request.
  'upstream.connect': {
    main: f(UP, 'ngx_http_upstream_connect'),
    more: [f('src/event/ngx_event_connect.c', 'ngx_event_connect_peer'), f(UP, 'ngx_http_upstream_send_request')],
  },
  // $upstream_header_time ends when the header is parsed, which the proxy module does.
  'upstream.header': {
    main: f(UP, 'ngx_http_upstream_process_header'),
    more: [
      f(PROXY, 'ngx_http_proxy_process_status_line'),
      f(PROXY, 'ngx_http_proxy_process_header'),
      f(UP, 'ngx_http_upstream_send_request'),
    ],
  },
  // ingress-nginx turns proxy_buffering off, so the body goes through the non-buffered path.
  'upstream.response': {
    main: f(UP, 'ngx_http_upstream_send_response'),
    more: [
      f(UP, 'ngx_http_upstream_process_non_buffered_downstream'),
      f(UP, 'ngx_http_upstream_process_upstream'),
      f(UP, 'ngx_http_upstream_finalize_request'),
    ],
  },
  proxy: { main: PROXY_HANDLER, more: [f(PROXY, 'ngx_http_proxy_create_request')] },

  // Phase groups of the execution path: `nginx.<phase>`.
  'nginx.connection': {
    main: f(REQ, 'ngx_http_init_connection'),
    more: [
      f('src/event/ngx_event_accept.c', 'ngx_event_accept'),
      f(REQ, 'ngx_http_wait_request_handler'),
      f(REQ, 'ngx_http_keepalive_handler'),
    ],
  },
  'nginx.request line': {
    main: f(REQ, 'ngx_http_process_request_line'),
    more: [f('src/http/ngx_http_parse.c', 'ngx_http_parse_request_line'), f(REQ, 'ngx_http_process_request_uri')],
  },
  'nginx.headers': {
    main: f(REQ, 'ngx_http_process_request_headers'),
    more: [f('src/http/ngx_http_parse.c', 'ngx_http_parse_header_line'), f(REQ, 'ngx_http_process_request_header')],
  },
  'nginx.post read': generic,
  'nginx.server rewrite': rewrite,
  'nginx.find config': {
    main: f(CORE, 'ngx_http_core_find_config_phase'),
    more: [f(CORE, 'ngx_http_core_find_location')],
  },
  'nginx.rewrite': rewrite,
  'nginx.post rewrite': { main: f(CORE, 'ngx_http_core_post_rewrite_phase'), more: [] },
  'nginx.preaccess': generic,
  'nginx.access': { main: f(CORE, 'ngx_http_core_access_phase'), more: [] },
  'nginx.post access': { main: f(CORE, 'ngx_http_core_post_access_phase'), more: [] },
  'nginx.precontent': generic,
  'nginx.content': { main: f(CORE, 'ngx_http_core_content_phase'), more: [PROXY_HANDLER] },
  'nginx.upstream': {
    main: f(UP, 'ngx_http_upstream_init'),
    more: [
      f(UP, 'ngx_http_upstream_init_request'),
      f(UP, 'ngx_http_upstream_connect'),
      f(UP, 'ngx_http_upstream_process_header'),
      f(UP, 'ngx_http_upstream_send_response'),
    ],
  },
  'nginx.filters': {
    main: f('src/http/ngx_http_header_filter_module.c', 'ngx_http_header_filter'),
    more: [f('src/http/ngx_http_write_filter_module.c', 'ngx_http_write_filter'), f(CORE, 'ngx_http_output_filter')],
  },
  'nginx.log': {
    main: f(REQ, 'ngx_http_log_request'),
    more: [f('src/http/modules/ngx_http_log_module.c', 'ngx_http_log_handler'), f(REQ, 'ngx_http_free_request')],
  },
};

/** `nginx.Request-Line`, `nginx.request_line` and `nginx.request line` are the same group. */
export function phaseKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_\s]+/g, ' ');
}

const normalized = new Map(Object.entries(NGINX_PHASE_INDEX).map(([k, v]) => [phaseKey(k), v]));

export function phaseEntry(spanName: string): PhaseEntry | undefined {
  return normalized.get(phaseKey(spanName));
}

/** Every distinct (file, function) the index names: what the tests check against the source. */
export function allIndexedFunctions(): NginxFn[] {
  const seen = new Map<string, NginxFn>();
  for (const e of Object.values(NGINX_PHASE_INDEX)) {
    for (const x of [e.main, ...e.more]) seen.set(`${x.file}:${x.fn}`, x);
  }
  return [...seen.values()];
}

/** Whether a version is inside the range this index was checked against. */
export function indexCovers(version: string | undefined): boolean {
  const m = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  if (!m) return false;
  const v = [Number(m[1]), Number(m[2])];
  const cmp = (a: readonly number[], b: readonly number[]) => a[0] - b[0] || a[1] - b[1];
  return cmp(v, INDEX_VERSIONS.from) >= 0 && cmp(v, INDEX_VERSIONS.to) <= 0;
}
