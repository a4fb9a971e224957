// "sandbox start": `kubetrace sandbox` from spawn to its ready line (median of 3), goal <= 10 s.
// Each run is stopped with SIGTERM and waited for, so runs do not overlap.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchRow } from './run';

const CLI = resolve(__dirname, '..', 'bin', 'kubetrace.js');

function once(dir: string, i: number): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn(
      process.execPath,
      [CLI, 'sandbox', '--kubeconfig', join(dir, `kc-${i}`), '--pod-subnet', '127.10.63'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '',
      err = '',
      ms = -1;
    const kill = setTimeout(() => p.kill('SIGTERM'), 60_000);
    p.stdout.on('data', (d) => {
      out += d;
      if (ms < 0 && out.includes('kubetrace sandbox ready ')) {
        ms = performance.now() - t0;
        p.kill('SIGTERM');
      }
    });
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      clearTimeout(kill);
      if (ms < 0) rej(new Error(`sandbox exited ${code} without a ready line:\n${err}`));
      else res(ms);
    });
  });
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kt-bench-sandbox-'));
  try {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(await once(dir, i));
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[1];
    return [
      {
        measure: 'sandbox start',
        value: median,
        unit: 'ms',
        goal: '<= 10000',
        pass: median <= 10_000,
        detail: `runs ${times.map((t) => t.toFixed(0)).join(', ')} ms (spawn to ready line)`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
