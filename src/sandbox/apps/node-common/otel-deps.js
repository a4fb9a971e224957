'use strict';
// Every OpenTelemetry package the Node apps use, in one list. scripts/build.mjs bundles this file into
// dist/sandbox-otel.js, which the .vsix ships (an installed extension has no node_modules); otel.js loads that
// bundle when it exists and this file, resolved from the repository's node_modules, when it does not.
const api = require('@opentelemetry/api');
const core = require('@opentelemetry/core');
const resources = require('@opentelemetry/resources');
const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');

module.exports = {
  api,
  core,
  resources,
  NodeTracerProvider,
  BatchSpanProcessor,
  OTLPTraceExporter,
  registerInstrumentations,
  HttpInstrumentation,
};
