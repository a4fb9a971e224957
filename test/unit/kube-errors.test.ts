// KubeApiError is recognised across bundles: in VS Code the requester (extension bundle) and the probe engine
// (engine bundle) each carry a copy of the class, and the engine branches on `instanceof` (404 -> "not this kind").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { build } from 'esbuild';
import { KubeApiError } from '../../src/core/kube/errors';

async function separateCopy(): Promise<typeof KubeApiError> {
  const out = await build({
    entryPoints: [join(__dirname, '..', '..', 'src', 'core', 'kube', 'errors.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
  });
  const url = 'data:text/javascript,' + encodeURIComponent(out.outputFiles[0].text);
  return ((await import(url)) as { KubeApiError: typeof KubeApiError }).KubeApiError;
}

test('an error made by another bundle copy of KubeApiError is a KubeApiError here, and other errors are not', async () => {
  const Other = await separateCopy();
  assert.notEqual(Other, KubeApiError, 'a separate copy of the class');
  const e = new Other('httproutes "orders" not found', undefined, 404, 'NotFound');
  assert.ok(e instanceof KubeApiError);
  assert.equal(e.status, 404);
  assert.ok(new KubeApiError('x', undefined, 403, 'Forbidden') instanceof Other);
  assert.ok(!(new Error('x') instanceof KubeApiError));
  assert.ok(!((null as unknown) instanceof KubeApiError));
  assert.ok(!(Object.assign(new Error('x'), { status: 404 }) instanceof KubeApiError), 'a status alone is not enough');
});
