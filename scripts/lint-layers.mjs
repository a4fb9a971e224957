// Enforces the layering: only src/vscode may import `vscode`; webview imports only src/protocol from src.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function* files(dir) {
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e !== 'node_modules') yield* files(p);
    } else if (/\.(ts|tsx|js|mjs|cjs)$/.test(e)) yield p;
  }
}
const problems = [];
const vscodeImport = /(?:from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/;
for (const dir of ['src/core', 'src/protocol', 'src/sandbox', 'src/cli', 'webview']) {
  for (const f of files(dir)) {
    const text = readFileSync(f, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (vscodeImport.test(line) && !/^\s*import\s+type\b/.test(line))
        problems.push(`${f}:${i + 1}: imports vscode (only src/vscode may)`);
    });
  }
}
for (const f of files('webview')) {
  readFileSync(f, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = /from\s+['"](\.\.\/src\/[^'"]+)['"]/.exec(line);
      if (m && !m[1].startsWith('../src/protocol'))
        problems.push(`${f}:${i + 1}: webview may import only src/protocol (found ${m[1]})`);
    });
}
for (const f of files('src/core')) {
  readFileSync(f, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/from\s+['"]\.\.\/(\.\.\/)?(vscode|cli|sandbox)\//.test(line))
        problems.push(`${f}:${i + 1}: src/core may not import the adapters or the sandbox`);
    });
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('layering ok');
