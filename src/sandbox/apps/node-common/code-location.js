'use strict';
// Records where a span was started in the app's source: code.file.path, code.line.number,
// code.function.name (and the column). The Node SDK emits none of these by itself; capturing the
// stack in onStart is the known way (opentelemetry-js #3047).
const path = require('node:path');

class CodeLocationProcessor {
  /** @param {{ appDir: string, containerDir: string }} opts */
  constructor(opts) {
    this.appDir = path.resolve(opts.appDir) + path.sep;
    this.containerDir = opts.containerDir.replace(/\/$/, '');
  }

  onStart(span) {
    const site = this.firstAppFrame();
    if (!site) return;
    const rel = site.file.slice(this.appDir.length).split(path.sep).join('/');
    span.setAttribute('code.file.path', `${this.containerDir}/${rel}`);
    span.setAttribute('code.line.number', site.line);
    if (site.column) span.setAttribute('code.column.number', site.column);
    if (site.fn) span.setAttribute('code.function.name', site.fn);
  }

  firstAppFrame() {
    const prepare = Error.prepareStackTrace;
    const limit = Error.stackTraceLimit;
    let sites = [];
    try {
      // Structured call sites; the instrumentation's own frames can be deep, so look past the default 10.
      Error.prepareStackTrace = (_e, callSites) => callSites;
      Error.stackTraceLimit = 60;
      const holder = {};
      Error.captureStackTrace(holder, this.firstAppFrame);
      sites = holder.stack || [];
    } finally {
      Error.prepareStackTrace = prepare;
      Error.stackTraceLimit = limit;
    }
    for (const s of sites) {
      const file = s.getFileName && s.getFileName();
      if (!file || !file.startsWith(this.appDir) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
      const fnName = s.getFunctionName();
      const type = s.isToplevel() ? null : s.getTypeName();
      const fn = fnName ? (type && type !== 'Object' && !s.isConstructor() ? `${type}.${fnName}` : fnName) : undefined;
      return { file, line: s.getLineNumber(), column: s.getColumnNumber(), fn };
    }
    return undefined;
  }

  onEnd() {}
  forceFlush() {
    return Promise.resolve();
  }
  shutdown() {
    return Promise.resolve();
  }
}

module.exports = { CodeLocationProcessor };
