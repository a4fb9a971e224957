#!/usr/bin/env node
'use strict';
// The CLI is bundled by `npm run build`; say so plainly instead of a module-not-found stack.
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('error: dist/cli.js is missing\nhint: run `npm run build` first\n');
  process.exit(1);
}
require(cli);
