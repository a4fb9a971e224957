// Traces for the panel tests: a realistic probe through all four layers, an XSS one, and big ones.
import type { Diagnostic, HistoryEntry, Layer, SourceRef, Span, Step, Trace } from '../../src/protocol/messages';
import { criticalPath } from '../../src/core/trace/critical-path';

const BASE = 1_764_230_400_000_000_000n; // 2025-11-27T08:00:00Z in ns

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
let seq = 0;
export function spanId(n: number): string {
  return n.toString(16).padStart(16, '0');
}

interface Opts {
  id?: string;
  parent?: string;
  name: string;
  service: string;
  layer: Layer;
  kind?: Span['kind'];
  start: number;
  end: number;
  status?: Span['status'];
  attributes?: Span['attributes'];
  events?: Span['events'];
  origin?: Span['origin'];
  source?: SourceRef;
  moreSources?: SourceRef[];
  sourceReason?: string;
  steps?: Step[];
}

/** Times in ms from the trace start. */
export function span(o: Opts): Span {
  const ns = (ms: number) => (BASE + BigInt(Math.round(ms * 1e6))).toString();
  const s: Span = {
    spanId: o.id ?? spanId(++seq + 0x1000),
    name: o.name,
    service: o.service,
    layer: o.layer,
    kind: o.kind ?? 'internal',
    startTimeUnixNano: ns(o.start),
    endTimeUnixNano: ns(o.end),
    status: o.status ?? 'unset',
    attributes: o.attributes ?? {},
    events: o.events ?? [],
    links: [],
    origin: o.origin ?? 'otlp',
  };
  if (o.parent) s.parentSpanId = o.parent;
  if (o.source) s.source = o.source;
  if (o.moreSources) s.moreSources = o.moreSources;
  if (o.sourceReason) s.sourceReason = o.sourceReason;
  if (o.steps) s.steps = o.steps;
  return s;
}

export const ev = (atMs: number, name: string, attributes: Record<string, unknown>) => ({
  timeUnixNano: (BASE + BigInt(Math.round(atMs * 1e6))).toString(),
  name,
  attributes,
});

const nginxRef = (file: string, line: number, fn: string): SourceRef => ({
  kind: 'nginx',
  path: `src/http/${file}`,
  line,
  function: fn,
});

export const IDS = {
  probe: spanId(1),
  dns: spanId(2),
  connect: spanId(3),
  request: spanId(4),
  ttfb: spanId(5),
  download: spanId(6),
  nginx: spanId(0x10),
  attempt1: spanId(0x11),
  attempt2: spanId(0x12),
  upConnect: spanId(0x13),
  upHeader: spanId(0x14),
  upResponse: spanId(0x15),
  orders: spanId(0x20),
  ordersDb: spanId(0x21),
  ordersCall: spanId(0x22),
  inventory: spanId(0x30),
  inventoryDb: spanId(0x31),
};

export const NGINX_STEPS: Step[] = [
  {
    phase: 'request line',
    message: 'http request line: "GET /api/orders HTTP/1.1"',
    source: nginxRef('ngx_http_request.c', 1064, 'ngx_http_process_request_line'),
  },
  {
    phase: 'headers',
    message: 'http header: "Host: orders.example.test"',
    source: nginxRef('ngx_http_request.c', 1455, 'ngx_http_process_request_headers'),
  },
  {
    phase: 'headers',
    message: 'http header: "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000001-01"',
    source: nginxRef('ngx_http_request.c', 1455, 'ngx_http_process_request_headers'),
  },
  {
    phase: 'headers',
    message: 'http header done',
    source: nginxRef('ngx_http_request.c', 1479, 'ngx_http_process_request_headers'),
  },
  {
    phase: 'find config',
    message: 'test location: "/api"',
    source: nginxRef('ngx_http_core_module.c', 1367, 'ngx_http_core_find_static_location'),
  },
  {
    phase: 'find config',
    message: 'using configuration "/api"',
    source: nginxRef('ngx_http_core_module.c', 955, 'ngx_http_core_find_config_phase'),
  },
  {
    phase: 'rewrite',
    message: 'rewrite phase: 3',
    source: nginxRef('ngx_http_core_module.c', 929, 'ngx_http_core_rewrite_phase'),
    ambiguous: [nginxRef('ngx_http_core_module.c', 880, 'ngx_http_core_generic_phase')],
  },
  {
    phase: 'access',
    message: 'access phase: 9',
    source: nginxRef('ngx_http_core_module.c', 1085, 'ngx_http_core_access_phase'),
  },
  {
    phase: 'content',
    message: 'http init upstream, client timer: 0',
    source: nginxRef('ngx_http_upstream.c', 538, 'ngx_http_upstream_init_request'),
  },
  {
    phase: 'content',
    message: 'http upstream connect: -2',
    source: nginxRef('ngx_http_upstream.c', 1516, 'ngx_http_upstream_connect'),
  },
  {
    phase: 'content',
    message: 'http proxy status 200 "200 OK"',
    source: {
      kind: 'nginx',
      path: 'src/http/modules/ngx_http_proxy_module.c',
      line: 1902,
      function: 'ngx_http_proxy_process_status_line',
    },
  },
  {
    phase: 'log',
    message: 'http log handler',
    source: {
      kind: 'nginx',
      path: 'src/http/modules/ngx_http_log_module.c',
      line: 249,
      function: 'ngx_http_log_handler',
    },
  },
];

export function probeTrace(scale = 1, traceId = TRACE_ID): Trace {
  const t = (ms: number) => ms * scale;
  const client = (o: Omit<Opts, 'service' | 'layer' | 'origin'>) =>
    span({
      ...o,
      service: 'client',
      layer: 'client',
      origin: 'probe',
      sourceReason: o.sourceReason ?? 'Client phases happen inside Kubetrace itself: there is no source to open.',
    });
  const spans: Span[] = [
    client({
      id: IDS.probe,
      name: 'probe',
      kind: 'client',
      start: 0,
      end: t(48.2),
      status: 'ok',
      attributes: {
        'http.request.method': 'GET',
        'url.full': 'http://orders.example.test/api/orders',
        'http.response.status_code': 200,
        'kubetrace.probe.target': 'port-forward',
        'server.address': 'orders.example.test',
      },
    }),
    client({ id: IDS.dns, parent: IDS.probe, name: 'dns', start: 0, end: t(0.35) }),
    client({
      id: IDS.connect,
      parent: IDS.probe,
      name: 'connect',
      start: t(0.35),
      end: t(1.1),
      attributes: { 'network.peer.address': '127.0.0.1' },
    }),
    client({ id: IDS.request, parent: IDS.probe, name: 'request', start: t(1.1), end: t(1.4) }),
    client({ id: IDS.ttfb, parent: IDS.probe, name: 'ttfb', start: t(1.4), end: t(46.1) }),
    client({ id: IDS.download, parent: IDS.probe, name: 'download', start: t(46.1), end: t(48.2) }),
    span({
      id: IDS.nginx,
      parent: IDS.probe,
      name: 'nginx',
      service: 'ingress-nginx',
      layer: 'ingress',
      kind: 'server',
      origin: 'nginx-log',
      start: t(1.5),
      end: t(45.9),
      status: 'ok',
      attributes: {
        'http.request.method': 'GET',
        'url.path': '/api/orders',
        'http.response.status_code': 200,
        'nginx.upstream_addr': '127.10.0.6:8080, 127.10.0.5:8080',
        'nginx.request_time': '0.044',
        'nginx.req_id': TRACE_ID,
        'kubetrace.pod': 'ingress-nginx-controller-6f7d9c-k2x8q',
        'kubetrace.node': 'sandbox-node-1',
      },
      source: nginxRef('ngx_http_request.c', 1064, 'ngx_http_process_request_line'),
      moreSources: [
        { kind: 'nginx-conf', path: '.kubetrace/sandbox/nginx/nginx.conf', line: 212, endLine: 240 },
        { kind: 'ingress-yaml', path: 'deploy/orders-ingress.yaml', line: 14 },
      ],
      steps: structuredClone(NGINX_STEPS),
    }),
    span({
      id: IDS.attempt1,
      parent: IDS.nginx,
      name: 'upstream.attempt',
      service: 'ingress-nginx',
      layer: 'ingress',
      kind: 'client',
      origin: 'nginx-log',
      start: t(2.0),
      end: t(2.6),
      status: 'error',
      attributes: {
        'kubetrace.upstream.attempt': 1,
        'nginx.upstream_addr': '127.10.0.6:8080',
        'nginx.upstream_status': '502',
        'error.type': 'connect() failed (111: Connection refused)',
      },
      source: nginxRef('ngx_http_upstream.c', 1516, 'ngx_http_upstream_connect'),
    }),
    span({
      id: IDS.attempt2,
      parent: IDS.nginx,
      name: 'upstream.attempt',
      service: 'ingress-nginx',
      layer: 'ingress',
      kind: 'client',
      origin: 'nginx-log',
      start: t(2.7),
      end: t(45.6),
      attributes: {
        'kubetrace.upstream.attempt': 2,
        'nginx.upstream_addr': '127.10.0.5:8080',
        'nginx.upstream_status': '200',
      },
      source: nginxRef('ngx_http_upstream.c', 1516, 'ngx_http_upstream_connect'),
    }),
    span({
      id: IDS.upConnect,
      parent: IDS.attempt2,
      name: 'upstream.connect',
      service: 'ingress-nginx',
      layer: 'ingress',
      origin: 'nginx-log',
      start: t(2.7),
      end: t(3.1),
      attributes: { 'nginx.upstream_connect_time': '0.000' },
      source: nginxRef('ngx_http_upstream.c', 1516, 'ngx_http_upstream_connect'),
    }),
    span({
      id: IDS.upHeader,
      parent: IDS.attempt2,
      name: 'upstream.header',
      service: 'ingress-nginx',
      layer: 'ingress',
      origin: 'nginx-log',
      start: t(2.7),
      end: t(40.3),
      attributes: { 'nginx.upstream_header_time': '0.038' },
      source: nginxRef('ngx_http_upstream.c', 2400, 'ngx_http_upstream_process_header'),
    }),
    span({
      id: IDS.upResponse,
      parent: IDS.attempt2,
      name: 'upstream.response',
      service: 'ingress-nginx',
      layer: 'ingress',
      origin: 'nginx-log',
      start: t(2.7),
      end: t(45.6),
      attributes: { 'nginx.upstream_response_time': '0.043' },
      source: nginxRef('ngx_http_upstream.c', 4451, 'ngx_http_upstream_finalize_request'),
    }),
    span({
      id: IDS.orders,
      parent: IDS.attempt2,
      name: 'GET /api/orders',
      service: 'orders',
      layer: 'app',
      kind: 'server',
      start: t(3.4),
      end: t(39.9),
      status: 'ok',
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/api/orders',
        'http.response.status_code': 200,
        'kubetrace.pod': 'orders-7c9f8b6d5-x2k4p',
        'kubetrace.node': 'sandbox-node-1',
        'code.file.path': '/app/src/server.js',
        'code.line.number': 42,
      },
      events: [
        ev(t(3.6), 'log', { 'log.severity': 'info', 'log.message': 'listing orders for customer 17' }),
        ev(t(39.5), 'log', { 'log.severity': 'info', 'log.message': 'sent 3 orders' }),
      ],
      source: { kind: 'app', path: 'services/orders/src/server.js', line: 42, function: 'handleOrders' },
    }),
    span({
      id: IDS.ordersDb,
      parent: IDS.orders,
      name: 'db.query orders',
      service: 'orders',
      layer: 'app',
      start: t(4.0),
      end: t(12.6),
      attributes: { 'db.system': 'sqlite', 'db.query.text': 'SELECT * FROM orders WHERE customer = ?' },
      source: { kind: 'app', path: 'services/orders/src/db.js', line: 18, function: 'listOrders' },
    }),
    span({
      id: IDS.ordersCall,
      parent: IDS.orders,
      name: 'GET inventory',
      service: 'orders',
      layer: 'app',
      kind: 'client',
      start: t(13.0),
      end: t(39.0),
      attributes: {
        'http.request.method': 'GET',
        'url.full': 'http://inventory.shop.svc:8080/api/stock?ids=4,7,9',
        'http.response.status_code': 200,
      },
      source: { kind: 'app', path: 'services/orders/src/server.js', line: 58, function: 'fetchStock' },
    }),
    span({
      id: IDS.inventory,
      parent: IDS.ordersCall,
      name: 'GET /api/stock',
      service: 'inventory',
      layer: 'downstream',
      kind: 'server',
      start: t(14.2),
      end: t(38.1),
      status: 'ok',
      attributes: {
        'http.route': '/api/stock',
        'http.response.status_code': 200,
        'kubetrace.pod': 'inventory-5d8f7c9b4-q7w2e',
        'kubetrace.node': 'sandbox-node-2',
      },
      source: { kind: 'app', path: 'services/inventory/src/server.js', line: 27, function: 'stockHandler' },
    }),
    span({
      id: IDS.inventoryDb,
      parent: IDS.inventory,
      name: 'SELECT stock',
      service: 'inventory',
      layer: 'downstream',
      start: t(15.0),
      end: t(36.8),
      attributes: { 'db.system': 'sqlite' },
      source: { kind: 'app', path: 'services/inventory/src/stock.js', line: 11, function: 'readStock' },
    }),
  ];
  const diagnostics: Diagnostic[] = [
    {
      code: 'ingress.upstream-retry',
      severity: 'warning',
      spanId: IDS.attempt1,
      message: 'nginx tried 2 upstreams: the first, 127.10.0.6:8080, refused the connection.',
      hint: 'Check that pod orders-7c9f8b6d5-m8n3z is running; its endpoint is still listed as ready.',
    },
    {
      code: 'trace.clock-skew',
      severity: 'info',
      message: 'Moved the orders spans by 1.2 ms to correct the clock skew between the orders pod and the client.',
    },
  ];
  return {
    traceId,
    spans,
    diagnostics,
    criticalPath: criticalPath(spans, IDS.probe).sections,
  };
}

export const PROBE = {
  target: 'default/orders',
  method: 'GET',
  url: 'http://orders.example.test/api/orders',
  status: 200,
  durationMs: 48.2,
  via: 'port-forward' as const,
};

export function history(): HistoryEntry[] {
  return [
    {
      id: 'h3',
      time: '2025-11-27T08:02:10.120Z',
      target: 'default/orders',
      method: 'GET',
      traceId: 'c'.repeat(32),
      status: 200,
      durationMs: 61.7,
    },
    {
      id: 'h2',
      time: '2025-11-27T08:01:02.500Z',
      target: 'default/catalog',
      method: 'GET',
      traceId: 'b'.repeat(32),
      status: 503,
      durationMs: 12.4,
    },
    {
      id: 'h1',
      time: '2025-11-27T08:00:00.000Z',
      target: 'default/orders',
      method: 'GET',
      traceId: TRACE_ID,
      status: 200,
      durationMs: 48.2,
    },
  ];
}

/** n spans: a few roots per layer with wide, deep subtrees, times spread over ~2 s. */
export function bigTrace(n: number): Trace {
  const spans: Span[] = [];
  const layers: Layer[] = ['client', 'ingress', 'app', 'downstream'];
  for (let i = 0; i < n; i++) {
    const layer = layers[Math.min(3, Math.floor((i / n) * 4))];
    const start = (i / n) * 1800 + (i % 7);
    const parentIdx = i % 50 === 0 ? -1 : i - 1 - (i % 5);
    spans.push(
      span({
        id: spanId(i + 1),
        parent: parentIdx >= 0 ? spanId(parentIdx + 1) : undefined,
        name: `op-${i % 97} handler`,
        service: `svc-${i % 13}`,
        layer,
        start,
        end: start + 5 + (i % 40),
        status: i % 211 === 0 ? 'error' : 'ok',
        attributes: { 'http.route': `/r/${i % 31}`, 'kubetrace.pod': `pod-${i % 17}` },
        source: { kind: 'app', path: `src/svc${i % 13}.js`, line: 1 + (i % 400) },
      }),
    );
  }
  return {
    traceId: 'f'.repeat(32),
    spans,
    criticalPath: criticalPath(spans).sections,
    diagnostics: [],
  };
}

/** Payloads that would run if any of them reached the DOM as markup or a link. */
export const XSS = {
  script: '<script>window.__pwned = "script"</script>',
  img: '<img src=x onerror="window.__pwned = \'img\'">',
  svg: '<svg onload="window.__pwned = \'svg\'"></svg>',
  js: 'javascript:window.__pwned = "link"',
  attr: '"><img src=x onerror=alert(1)>',
  iframe: '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
};

export function xssTrace(): Trace {
  const t = probeTrace();
  const by = (id: string) => t.spans.find((s) => s.spanId === id)!;
  const nginx = by(IDS.nginx);
  nginx.name = XSS.script;
  nginx.service = XSS.attr;
  nginx.attributes['url.full'] = XSS.js;
  nginx.attributes[XSS.img] = XSS.svg;
  nginx.attributes['kubetrace.pod'] = XSS.iframe;
  nginx.events = [ev(2, XSS.svg, { 'log.message': XSS.img, link: XSS.js })];
  nginx.links = [{ traceId: XSS.script, spanId: XSS.img, attributes: { href: XSS.js } }];
  nginx.source = { kind: 'nginx', path: XSS.js, line: 1, function: XSS.img };
  nginx.steps = [
    {
      phase: XSS.img,
      message: XSS.script,
      source: { kind: 'nginx', path: XSS.attr, line: 2 },
      ambiguous: [{ kind: 'nginx', path: XSS.svg, line: 3 }],
    },
  ];
  const orders = by(IDS.orders);
  orders.name = XSS.img;
  orders.sourceReason = XSS.iframe;
  delete orders.source;
  by(IDS.inventory).service = XSS.svg;
  t.diagnostics = [
    { code: XSS.attr, severity: 'error', message: XSS.img, hint: XSS.script, spanId: IDS.nginx },
    { code: 'x', severity: 'warning', message: XSS.js },
  ];
  return t;
}
