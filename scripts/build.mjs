// Builds every bundle. Contexts run together; any failure fails the build (exit 1).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// A fresh dist/ each build, so no stale bundle or map from an earlier build is shipped.
if (!watch) rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });

// client-node is ~1 MB minified: keep it out of the extension bundle and load it on first use.
const lazyClientNode = {
  name: 'lazy-client-node',
  setup(build) {
    build.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: './kube.js', external: true }));
  },
};

// The extension's heavy engine (probe, source mapping, import) is a second lazily required file as well.
const lazyEngine = {
  name: 'lazy-engine',
  setup(build) {
    build.onResolve({ filter: /^\.\/engine$/ }, () => ({ path: './engine.js', external: true }));
  },
};

// `kubetrace mcp` brings the MCP SDK, zod and ajv (~0.8 MB): its own file, so other commands do not load them.
const lazyMcp = {
  name: 'lazy-mcp',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/mcp$/ }, () => ({ path: './mcp.js', external: true }));
  },
};

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const contexts = [
  {
    ...node,
    minify: true,
    sourcemap: false,
    entryPoints: { kube: 'src/core/kube/client-node-entry.ts' },
    outdir: 'dist',
  },
  {
    ...node,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    plugins: [lazyClientNode, lazyMcp],
    // The lazy files are CommonJS bundles of this build: required, not import()ed. Node's import() of a CommonJS
    // file first scans all of it for export names (cjs-module-lexer): about 0.3 s of CPU per command for kube.js.
    supported: { 'dynamic-import': false },
  },
  { ...node, minify: true, entryPoints: { mcp: 'src/cli/commands/mcp.ts' }, outdir: 'dist', plugins: [lazyClientNode] },
  // The worker threads that read a big access log in pieces (src/core/burst/log-parallel.ts).
  { ...node, entryPoints: { 'log-worker': 'src/cli/log-worker.ts' }, outdir: 'dist' },
];
// The sandbox apps' OpenTelemetry packages as one file (src/sandbox/apps/node-common/otel.js loads it), so the
// .vsix can run the apps without node_modules. Always minified: it is shipped, and nobody steps through it.
if (existsSync('src/sandbox/apps/node-common/otel-deps.js')) {
  contexts.push({
    ...node,
    minify: true,
    sourcemap: false,
    entryPoints: { 'sandbox-otel': 'src/sandbox/apps/node-common/otel-deps.js' },
    outdir: 'dist',
  });
}
if (existsSync('src/vscode/extension.ts')) {
  contexts.push({
    ...node,
    entryPoints: { extension: 'src/vscode/extension.ts' },
    outdir: 'dist',
    external: ['vscode'],
    plugins: [lazyClientNode, lazyEngine],
  });
  contexts.push({
    ...node,
    entryPoints: { engine: 'src/vscode/engine.ts' },
    outdir: 'dist',
    external: ['vscode'],
    plugins: [lazyClientNode],
  });
}
if (existsSync('webview/main.ts')) {
  contexts.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: true,
    logLevel: 'warning',
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    loader: { '.css': 'css' },
  });
}

const results = await Promise.allSettled(
  contexts.map(async (options) => {
    if (watch) {
      const ctx = await esbuild.context(options);
      await ctx.watch();
      return;
    }
    await esbuild.build(options);
  }),
);
const failed = results.filter((r) => r.status === 'rejected');
for (const f of failed) console.error(`build failed: ${f.reason?.message ?? f.reason}`);
if (failed.length) process.exit(1);
writeFileSync('dist/.built', new Date().toISOString());
if (!watch) console.log(`built ${contexts.length} bundles into dist/`);
