import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  detectNginxVersion,
  imageTag,
  INGRESS_NGINX_RELEASES,
  NGINX_PINS,
  nginxForController,
  tabledNginxVersions,
} from '../../src/core/sourcemap/nginx';

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
  assert.match(d.reason ?? '', /traefik:v3\.1 is not a known nginx-based controller release/);
  assert.match(d.reason ?? '', /"latest" is not a version/);
  assert.match(detectNginxVersion({}).reason ?? '', /no evidence/);
});

test('F5 NGINX Ingress Controller and NGINX Gateway Fabric images map through their own tables', () => {
  const cases: [string, string | undefined][] = [
    ['nginx/nginx-ingress:5.5.4', '1.31.3'],
    ['docker.io/nginx/nginx-ingress:5.5.0-ubi', '1.31.1'],
    ['nginx/nginx-ingress:5.4.1-alpine', '1.29.7'],
    ['nginx/nginx-ingress:5.2.1', '1.29.1'],
    ['nginx/nginx-ingress:5.5.2', undefined], // no row: not guessed
    ['ghcr.io/nginx/nginx-gateway-fabric/nginx:2.6.7', '1.31.3'],
    ['ghcr.io/nginx/nginx-gateway-fabric/nginx:2.6.5', '1.31.2'],
    ['ghcr.io/nginx/nginx-gateway-fabric/nginx:2.6.0', '1.30.0'],
    ['ghcr.io/nginx/nginx-gateway-fabric/nginx:2.5.3', '1.29.7'], // the whole 2.5 series
    ['ghcr.io/nginx/nginx-gateway-fabric/nginx:2.0.2', '1.28.0'],
    ['ghcr.io/nginx/nginx-gateway-fabric/nginx:2.1.0', undefined],
    ['ghcr.io/nginx/nginx-gateway-fabric:2.6.7', undefined], // the control plane runs no nginx
  ];
  for (const [image, version] of cases) {
    const d = detectNginxVersion({ controllerImage: image });
    assert.equal(d.version, version, `${image}: ${d.reason}`);
    if (version) assert.equal(d.from, 'image');
    else assert.match(d.reason ?? '', /not in the release table|not a known nginx-based controller/, image);
  }
  assert.match(
    detectNginxVersion({ controllerImage: 'nginx/nginx-ingress:5.5.4' }).reason ?? '',
    /F5 NGINX Ingress Controller 5\.5\.4 ships nginx 1\.31\.3/,
  );
  const plus = detectNginxVersion({ controllerImage: 'private-registry.nginx.com/nginx-ic/nginx-plus-ingress:5.5.4' });
  assert.equal(plus.version, undefined);
  assert.match(plus.reason ?? '', /NGINX Plus/);
});

test('the controller and release come from the image even when nginx -v gave the version', () => {
  const d = detectNginxVersion({
    nginxVOutput: 'nginx version: nginx/1.27.1',
    controllerImage: 'registry.k8s.io/ingress-nginx/controller:v1.13.0@sha256:' + 'a'.repeat(64),
  });
  assert.equal(d.from, 'exec');
  assert.equal(d.controller, 'ingress-nginx');
  assert.equal(d.controllerRelease, '1.13.0');
});

// Versions no published source pins (checksums.ts says why): they keep the download warning.
const UNPINNED = ['1.25.5', '1.28.0', '1.29.1', '1.29.3', '1.30.0', '1.31.2'];

test('every nginx version a controller table names is pinned, or listed as having no published pin', () => {
  const shipped = new Set([...[...INGRESS_NGINX_RELEASES.values()].map((r) => r.nginx), ...tabledNginxVersions()]);
  for (const v of shipped) {
    assert.ok(NGINX_PINS[v] || UNPINNED.includes(v), `nginx ${v} has neither a pin nor a place in the unpinned list`);
  }
  for (const v of UNPINNED) assert.equal(NGINX_PINS[v], undefined, `${v} is pinned now: drop it from the list`);
  const text = readFileSync(join(__dirname, '..', '..', 'src', 'core', 'sourcemap', 'nginx', 'checksums.ts'), 'utf8');
  for (const v of UNPINNED) assert.ok(text.includes(v), `checksums.ts names ${v} as unpinned`);
  for (const [v, p] of Object.entries(NGINX_PINS)) {
    assert.match(p.sha256, /^[0-9a-f]{64}$/, v);
    assert.ok(p.from.length > 10, `${v} names where its pin comes from`);
  }
  const hashes = Object.values(NGINX_PINS).map((p) => p.sha256);
  assert.equal(new Set(hashes).size, hashes.length, 'no two versions share a hash');
});

test('the fetch script pins the same hashes as the table', () => {
  const script = readFileSync(join(__dirname, '..', '..', 'scripts', 'fetch-nginx-source.sh'), 'utf8');
  const pins = [...script.matchAll(/^\s+(\d+\.\d+\.\d+)\) echo ([0-9a-f]{64}) ;;$/gm)];
  assert.deepEqual(
    pins.map((m) => m[1]),
    ['1.22.1', '1.26.3', '1.30.6'],
  );
  for (const [, v, sha] of pins) assert.equal(sha, NGINX_PINS[v]?.sha256, `script pin for ${v}`);
});
