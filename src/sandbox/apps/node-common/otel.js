'use strict';
// The OpenTelemetry packages, from the one bundle the build makes of otel-deps.js (dist/sandbox-otel.js, in the
// repository and in the installed extension alike), or from node_modules in a checkout that was not built.
// Only these packages are bundled: the apps' own files run as they are, so the file:line their spans carry is the
// line of the file a user opens.
const { existsSync } = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', '..', '..', '..', 'dist', 'sandbox-otel.js');
module.exports = existsSync(bundle) ? require(bundle) : require('./otel-deps');
