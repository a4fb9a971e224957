import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { detectNginxVersion, imageTag, nginxForController } from '../../src/core/sourcemap/nginx';

test('nginx -v output, from the real binary', () => {
  const r = spawnSync('/usr/sbin/nginx', ['-v'], { encoding: 'utf8' });
  const d = detectNginxVersion({ nginxVOutput: r.stderr });
  assert.equal(d.version, '1.22.1');
  assert.equal(d.from, 'exec');
  assert.equal(detectNginxVersion({ nginxVOutput: 'nginx version: openresty/1.21.4.1' }).version, '1.21.4');
});

test('controller image tags map through the ingress-nginx release table', () => {
  const cases: [string, string | undefined, boolean][] = [
    ['registry.k8s.io/ingress-nginx/controller:v1.9.6', '1.21.6', false],
    [
      'registry.k8s.io/ingress-nginx/controller:v1.9.6@sha256:1405cc613bd95b2c6edd8b2a152510ae91c7e62aea4698500d23b2145960ab9c',
      '1.21.6',
      false,
    ],
    ['registry.k8s.io/ingress-nginx/controller:v1.10.1', '1.25.3', false],
    ['registry.k8s.io/ingress-nginx/controller:v1.10.2', '1.25.5', false],
    ['registry.k8s.io/ingress-nginx/controller:v1.12.8', '1.25.5', false],
    ['registry.k8s.io/ingress-nginx/controller:v1.13.0', '1.27.1', false],
    ['my-registry:5000/ingress-nginx/controller:v1.8.1', '1.21.6', true], // no row in the table: from its series
  ];
  for (const [image, version, uncertain] of cases) {
    const d = detectNginxVersion({ controllerImage: image });
    assert.equal(d.version, version, image);
    assert.equal(d.from, 'image', image);
    assert.equal(/not in the release table/.test(d.reason ?? ''), uncertain, `${image}: ${d.reason}`);
  }
  assert.equal(imageTag('my-registry:5000/ingress-nginx/controller'), undefined);
  assert.equal(nginxForController('v0.49.3'), undefined);
});

test('order: exec before image before the Server header; the setting overrides all', () => {
  const all = {
    nginxVOutput: 'nginx version: nginx/1.22.1',
    controllerImage: 'registry.k8s.io/ingress-nginx/controller:v1.9.6',
    serverHeader: 'nginx/1.19.0',
  };
  assert.equal(detectNginxVersion(all).from, 'exec');
  assert.equal(detectNginxVersion({ ...all, nginxVOutput: undefined }).from, 'image');
  assert.deepEqual(detectNginxVersion({ serverHeader: 'nginx/1.19.0' }).version, '1.19.0');
  const set = detectNginxVersion({ ...all, setting: '1.25.5' });
  assert.equal(set.version, '1.25.5');
  assert.equal(set.from, 'setting');
});

test('unknown: no version, and a reason that says what was tried', () => {
  const d = detectNginxVersion({ serverHeader: 'nginx', controllerImage: 'traefik:v3.1', setting: 'latest' });
  assert.equal(d.version, undefined);
  assert.match(d.reason ?? '', /server_tokens off/);
  assert.match(d.reason ?? '', /v3\.1 is not a known ingress-nginx release/);
  assert.match(d.reason ?? '', /"latest" is not a version/);
  assert.match(detectNginxVersion({}).reason ?? '', /no evidence/);
});
