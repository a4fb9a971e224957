'use strict';
// OpenTelemetry set-up shared by the sandbox's Node apps. Required first, before `node:http` is loaded,
// so the http instrumentation can patch it (server and client spans, W3C traceparent in and out).
const path = require('node:path');
const {
  resources,
  NodeTracerProvider,
  BatchSpanProcessor,
  OTLPTraceExporter,
  registerInstrumentations,
  HttpInstrumentation,
} = require('./otel');
const { CodeLocationProcessor } = require('./code-location');

// The app's own folder is what a container image copies to /app.
const appDir = require.main ? path.dirname(require.main.filename) : process.cwd();

// Stack traces name files as the container sees them (/app/server.js), like code.file.path does.
const appPrefix = appDir + path.sep;
Error.prepareStackTrace = (err, sites) => {
  let head;
  try {
    head = Error.prototype.toString.call(err);
  } catch {
    head = 'Error';
  }
  const frames = sites.map((s) => `    at ${String(s).split(appPrefix).join('/app/')}`);
  return [head, ...frames].join('\n');
};

const delay = Number(process.env.OTEL_BSP_SCHEDULE_DELAY || 100);
// What NodeSDK sets up for traces, without its metrics and logs exporters (nothing here reads those, and they
// would make the bundle several times larger): the resource from the same detectors (OTEL_RESOURCE_ATTRIBUTES
// carries the pod, namespace and node), AsyncLocalStorage context and W3C trace context + baggage (register()).
const resource = resources
  .defaultResource()
  .merge(
    resources.detectResources({
      detectors: [resources.envDetector, resources.processDetector, resources.hostDetector],
    }),
  )
  .merge(resources.resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME || path.basename(appDir) }));
const provider = new NodeTracerProvider({
  resource,
  spanProcessors: [
    new CodeLocationProcessor({ appDir, containerDir: '/app' }),
    new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: delay, maxExportBatchSize: 512 }),
  ],
});
provider.register();
registerInstrumentations({
  instrumentations: [
    new HttpInstrumentation({
      // The exporter's own POSTs to the trace store are not part of any request.
      ignoreOutgoingRequestHook: (req) => String(req.path || '').startsWith('/v1/traces'),
      ignoreIncomingRequestHook: (req) => req.url === '/healthz',
      // The header the Gateway's orders-gold route matches on (src/sandbox/manifests/25-gateway.yaml): the server
      // span records it as http.request.header.x-customer-tier, so a trace shows it reached the app.
      headersToSpanAttributes: { server: { requestHeaders: ['x-customer-tier'] } },
    }),
  ],
});

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  // Flush what is buffered, then go; a stuck exporter must not hold the pod.
  const force = setTimeout(() => process.exit(0), 1500);
  force.unref();
  provider
    .shutdown()
    .catch(() => {})
    .finally(() => process.exit(signal === 'SIGINT' ? 130 : 0));
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

module.exports = { provider, appDir };
