// Which stage of request processing a debug message belongs to. The phase engine logs
// `generic phase: N` / `rewrite phase: N` with a handler index that depends on the config, so the
// phase name comes from the order of what was seen before (post-read comes before server rewrite,
// find config before rewrite, and so on), not from N.

export const NGINX_PHASES = [
  'connection',
  'request line',
  'headers',
  'post-read',
  'server rewrite',
  'find config',
  'rewrite',
  'post rewrite',
  'preaccess',
  'access',
  'post access',
  'precontent',
  'content',
  'upstream',
  'filters',
  'log',
  // Not a stage: lines from lua-nginx-module (modules.ts), grouped apart from core's.
  'lua',
] as const;
export type NginxPhase = (typeof NGINX_PHASES)[number];

// Position of each phase-engine phase in nginx's order (ngx_http_phases in ngx_http_core_module.h).
const ENGINE: Partial<Record<NginxPhase, number>> = {
  'post-read': 0,
  'server rewrite': 1,
  'find config': 2,
  rewrite: 3,
  'post rewrite': 4,
  preaccess: 5,
  access: 6,
  'post access': 7,
  precontent: 8,
  content: 9,
};

const CONNECTION = new RegExp(
  '^(accept: |http wait request handler|http keepalive handler|set http keepalive handler|' +
    'close http connection|hc free|hc busy|http check ssl handshake|SSL_do_handshake|SSL handshake)',
);
const REQUEST_LINE =
  /^(http process request line|http request line:|http uri:|http args:|http exten:|http alloc large header buffer)/;
const FILTER = new RegExp(
  '^(http (output|copy|postpone|write|header|chunk|gzip|gunzip|ssi|sub|addition|range|charset|' +
    'image|xslt|not modified|trailers)[ -]?(body )?filter|write (old|new) buf|http write filter|' +
    'HTTP/\\d)',
);
const UPSTREAM = new RegExp(
  '^(http (init )?upstream|finalize http upstream|close http upstream|http proxy|http upstream|' +
    'get (rr|hash|ip hash|least conn|keepalive|random) peer|free (rr|keepalive) peer|connect to |' +
    'stream socket|http next upstream|upstream |http fastcgi|http uwsgi|http scgi|grpc |' +
    'http upstream cache|lua balancer)',
);
// Everything else (variables, scripts, memory, timers, socket I/O) runs inside whatever stage is
// current, so it keeps that stage.

export class PhaseTracker {
  private phase: NginxPhase = 'connection';
  private engine = -1;

  /** The phase of this message; updates the state for the messages that follow. */
  next(message: string): NginxPhase {
    const p = this.classify(message);
    if (p) {
      this.phase = p;
      const e = ENGINE[p];
      if (e !== undefined) this.engine = e;
    }
    return this.phase;
  }

  private classify(m: string): NginxPhase | undefined {
    if (CONNECTION.test(m)) return 'connection';
    if (REQUEST_LINE.test(m)) return 'request line';
    if (/^(http process request header line|http header:|http header done|http2 header:)/.test(m)) return 'headers';
    if (/^generic phase: /.test(m)) {
      if (this.engine < ENGINE['server rewrite']!) return 'post-read';
      if (this.engine < ENGINE.access!) return 'preaccess';
      return 'precontent';
    }
    if (/^rewrite phase: /.test(m)) {
      // After post rewrite the engine only comes back here through an internal redirect,
      // which restarts at server rewrite.
      if (this.engine < ENGINE['find config']! || this.engine >= ENGINE['post rewrite']!) return 'server rewrite';
      return 'rewrite';
    }
    if (/^(test location: |using configuration |http cl:|find config)/.test(m)) return 'find config';
    if (/^post rewrite phase: /.test(m)) return 'post rewrite';
    if (/^access phase: /.test(m)) return 'access';
    if (/^post access phase: /.test(m)) return 'post access';
    if (/^content phase: /.test(m)) return 'content';
    if (/^(http log handler|http close request)/.test(m)) return 'log';
    if (FILTER.test(m)) return 'filters';
    if (UPSTREAM.test(m)) return 'upstream';
    return undefined;
  }
}
