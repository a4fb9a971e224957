// `npm test`: build, type-check, lint (ESLint states the layering) and check the formatting, then every test
// under node's test runner.
// `npm test -- test/unit` (or any files/folders) runs a subset, still after the checks.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}
function collect(p, out) {
  let st;
  try {
    st = statSync(p);
  } catch {
    console.error(`no such test path: ${p}`);
    process.exit(2);
  }
  if (st.isDirectory()) {
    for (const e of readdirSync(p).sort()) collect(join(p, e), out);
  } else if (/\.test\.ts$/.test(p)) out.push(p);
  return out;
}

const args = process.argv.slice(2);
const skipChecks = process.env.KUBETRACE_SKIP_CHECKS === '1';
if (!skipChecks) {
  run('bash', ['scripts/setup-system.sh']);
  run('node', ['scripts/build.mjs']);
  run('npx', ['--no-install', 'tsc', '--noEmit', '-p', '.']);
  run('npx', ['--no-install', 'eslint', '.']);
  run('npx', ['--no-install', 'prettier', '--check', '--log-level', 'warn', '.']);
}
const roots = args.length ? args : ['test/unit', 'test/integration', 'test/e2e'];
const files = roots.flatMap((r) => collect(r, []));
// Test assets, cached in .cache/: the reference nginx sources (Debian's upstream tarballs: 1.22.1 required,
// 1.26.3 and 1.30.6 for the per-version tests, which say so when a mirror lacks one) and, for the
// end-to-end flows, code-server.
run('bash', ['scripts/fetch-nginx-source.sh']);
run('bash', ['scripts/fetch-nginx-source.sh', '--optional', '', '1.26.3', '1.30.6']);
// HAProxy's (Debian bookworm's 2.6.12, the sandbox's, and trixie's 3.0.11) for its phase index; optional too.
run('bash', ['scripts/fetch-haproxy-source.sh', '--optional', '', '2.6.12', '3.0.11']);
if (files.some((f) => f.startsWith('test/e2e'))) run('bash', ['scripts/setup-code-server.sh']);
if (!files.length) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = process.env.KUBETRACE_TEST_CONCURRENCY ?? '2';
run('node', ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...files]);
