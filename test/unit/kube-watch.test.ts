// Watching the tree's kinds: a kind the cluster does not serve (no Gateway API CRDs) is left alone, not retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeApiError } from '../../src/core/kube/errors';
import { KINDS } from '../../src/core/kube/list';
import type { KubeRequester } from '../../src/core/kube/request';
import { watchKinds } from '../../src/core/kube/watch';

test('a kind whose first list answers 404 is not watched, and no error is reported', async () => {
  const calls: string[] = [];
  const errors: string[] = [];
  const api = {
    json: async ({ path }: { path: string }) => {
      calls.push(path);
      throw new KubeApiError(`the server could not find the requested resource (${path})`, undefined, 404, 'NotFound');
    },
    stream: async () => assert.fail('no watch stream for a kind that is not served'),
  } as unknown as KubeRequester;
  const w = watchKinds(api, [KINDS.gateways, KINDS.httproutes], {
    onChange: () => assert.fail('nothing changed'),
    onError: (m) => errors.push(m),
  });
  await sleep(50);
  w.stop();
  assert.deepEqual(errors, []);
  assert.deepEqual(calls.sort(), [
    '/apis/gateway.networking.k8s.io/v1/gateways',
    '/apis/gateway.networking.k8s.io/v1/httproutes',
  ]);
});

test('any other failure is still reported and retried', async () => {
  const errors: number[] = [];
  const api = {
    json: async () => {
      throw new KubeApiError('forbidden', undefined, 403, 'Forbidden');
    },
  } as unknown as KubeRequester;
  const w = watchKinds(api, [KINDS.gateways], {
    onChange: () => {},
    onError: (_m, retry) => errors.push(retry),
    backoff: { jitter: 0 },
  });
  await sleep(50);
  w.stop();
  assert.deepEqual(errors, [1000]);
});
