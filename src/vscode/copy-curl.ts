// Copy as curl: writes the CA the probe trusted into the extension's storage (curl reads it with --cacert) and
// copies a command with fresh trace ids, so running it never adds to the probe's trace.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { curlCommand, type CurlRequest } from '../core/probe/curl';

/** The CA bundle's file, named by its content so each bundle is written once. */
export async function writeCaFile(storage: vscode.Uri, pem: string): Promise<string> {
  const dir = join(storage.fsPath, 'curl-ca');
  const file = join(dir, `${createHash('sha256').update(pem).digest('hex').slice(0, 16)}.pem`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, pem, { mode: 0o644 });
  return file;
}

export async function copyCurl(storage: vscode.Uri, req: CurlRequest): Promise<string> {
  const caFile = req.caPem !== undefined ? await writeCaFile(storage, req.caPem) : undefined;
  const text = curlCommand(req, { caFile });
  await vscode.env.clipboard.writeText(text);
  const note = caFile ? ` (CA in ${caFile})` : '';
  void vscode.window.setStatusBarMessage(`Kubetrace: curl command copied with a fresh trace id${note}`, 5000);
  return text;
}
