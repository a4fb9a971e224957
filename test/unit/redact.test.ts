// Secrets never survive redaction: URL user info, secret query parameters, credential headers and fields by name
// (token, key, secret, password, session, cookie, authorization, x-auth-token, x_api_key...), bearer tokens and
// JWTs, in free text, in trace attributes (nested too), span and event names, links and diagnostics. Property
// tests plant a random secret in each carrier inside random text; fast-check prints the seed of any failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  SECRET_HEADERS,
  isSecretHeader,
  isSecretName,
  redact,
  redactForeign,
  redactHeaders,
  redactTrace,
  stripUserInfo,
} from '../../src/core/redact';
import type { Span, Trace } from '../../src/core/trace/model';
import { backendFeeds } from '../../src/core/probe/backend';

test('URL user info goes, wherever the URL is', () => {
  assert.equal(
    redact('backend http://admin:PASSWORD@jaeger.obs:16686/api did not answer'),
    'backend http://[redacted]@jaeger.obs:16686/api did not answer',
  );
  assert.equal(redact('"https://ghp_abc123@github.com/x"'), '"https://[redacted]@github.com/x"');
  assert.equal(
    redact('see https://github.com/a@b and mail me@example.com'),
    'see https://github.com/a@b and mail me@example.com',
  );
  assert.equal(stripUserInfo('http://admin:PASSWORD@jaeger:16686/x'), 'http://jaeger:16686/x');
  assert.equal(stripUserInfo('https://10.0.0.1:6443'), 'https://10.0.0.1:6443');
});

test('secret query parameters lose their values; the rest of the URL stays', () => {
  assert.equal(
    redact('GET /cb?access_token=abc123&page=2&X-Amz-Signature=ff00&sig=zz&api_key=k1'),
    'GET /cb?access_token=[redacted]&page=2&X-Amz-Signature=[redacted]&sig=[redacted]&api_key=[redacted]',
  );
  assert.equal(redact('/orders?id=7&sort=asc'), '/orders?id=7&sort=asc');
});

test('fields and headers by name, bearer tokens and JWTs', () => {
  const cases: [string, string][] = [
    ['X-Auth-Token: s3cr3t', 'X-Auth-Token: [redacted]'],
    ['x_api_key=s3cr3t other=1', 'x_api_key=[redacted] other=1'],
    ['{"password": "hunter2", "user": "bob"}', '{"password": "[redacted]", "user": "bob"}'],
    ['Authorization: Bearer abc.def-ghi', 'Authorization: [redacted]'],
    ['cookie: sid=xyz', 'cookie: [redacted]'],
    ['client-key-data: LS0tLS1CRUdJTg==', 'client-key-data: [redacted]'],
    ['session_id=42abc; path=/', 'session_id=[redacted]; path=/'],
    ['got Bearer eyJhbGciOi.eyJzdWIiOi.sig from the plugin', 'got Bearer [redacted] from the plugin'],
    ['token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc', 'token [redacted]'],
    ['status=200 host=shop.local monkey: banana author=ann', 'status=200 host=shop.local monkey: banana author=ann'],
    // Counterexamples fast-check found: a plain pair's value is itself a secret name, or a secret name's value is.
    ['-= authorization: Zq9A0aaA0 ', '-= authorization: [redacted] '],
    ['key: token: Zq9000aaA', 'key: [redacted] [redacted]'],
  ];
  for (const [input, want] of cases) assert.equal(redact(input), want, input);
});

test('an exec plugin`s stderr: tokens and long opaque strings go, paths and API versions stay', () => {
  const stderr =
    'error: /usr/local/bin/aws-iam-authenticator: client.authentication.k8s.io/v1beta1 token ' +
    'k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9uPUdldENhbGxlcklkZW50aXR5 expired';
  const out = redactForeign(stderr);
  assert.ok(!out.includes('aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8'), out);
  assert.match(out, /\/usr\/local\/bin\/aws-iam-authenticator/);
  assert.match(out, /client\.authentication\.k8s\.io\/v1beta1/);
  assert.equal(redactForeign('0123456789abcdef0123456789abcdef0 was refused'), '[redacted] was refused');
});

test('one predicate for secret headers: the list, and any header named like a secret', () => {
  for (const h of SECRET_HEADERS) assert.ok(isSecretHeader(h) && isSecretHeader(h.toUpperCase()), h);
  for (const h of ['X-Vault-Token', 'X-Session-Id', 'X-Goog-Api-Key', 'api-key', 'Private-Key'])
    assert.ok(isSecretHeader(h), h);
  for (const h of ['content-type', 'accept', 'host', 'traceparent', 'x-request-id', 'user-agent', 'keep-alive'])
    assert.equal(isSecretHeader(h), false, h);
  assert.deepEqual(redactHeaders({ Cookie: 'a=b', 'X-Auth-Token': 't', Accept: '*/*', Referer: 'https://u:p@h/' }), {
    Cookie: '[redacted]',
    'X-Auth-Token': '[redacted]',
    Accept: '*/*',
    Referer: 'https://[redacted]@h/',
  });
});

const span = (over: Partial<Span>): Span => ({
  spanId: '00f067aa0ba902b7',
  name: 'GET /orders',
  service: 'orders',
  layer: 'app',
  kind: 'server',
  startTimeUnixNano: '1000',
  endTimeUnixNano: '2000',
  status: 'unset',
  attributes: {},
  events: [],
  links: [],
  origin: 'otlp',
  ...over,
});
const trace = (spans: Span[], diagnostics: Trace['diagnostics'] = []): Trace => ({
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spans,
  criticalPath: [],
  diagnostics,
});

test('redactTrace: attributes by name, URLs in any attribute, names, nested event values, links, diagnostics', () => {
  const t = trace(
    [
      span({
        name: 'GET /cb?access_token=S1',
        attributes: {
          'http.request.header.x-auth-token': ['S2'],
          x_api_key: 'S3',
          'url.full': 'https://shop.local/cb?access_token=S4&page=2',
          'peer.address': 'postgres://app:S5@db:5432/shop',
          'http.request.header.cookie': ['sid=S6'],
          'gen_ai.usage.input_tokens': 12,
          'http.route': '/cb',
        },
        events: [{ timeUnixNano: '1500', name: 'login', attributes: { body: { user: 'bob', password: 'S7' } } }],
        links: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: { 'auth.secret': 'S8' } }],
      }),
    ],
    [
      {
        code: 'backend-error',
        severity: 'warning',
        message: 'jaeger http://admin:S9@jaeger:16686 answered 500',
        hint: 'try X-Api-Key: S10',
      },
    ],
  );
  const out = redactTrace(t);
  const text = JSON.stringify(out);
  for (let i = 1; i <= 10; i++) assert.ok(!new RegExp(`S${i}\\b`).test(text), `S${i} survived: ${text}`);
  const a = out.spans[0].attributes;
  assert.equal(a['url.full'], 'https://shop.local/cb?access_token=[redacted]&page=2');
  assert.equal(a['gen_ai.usage.input_tokens'], 12, 'a count under a token-like name is not a secret');
  assert.equal(a['http.route'], '/cb');
  assert.deepEqual(out.spans[0].events[0].attributes, { body: { user: 'bob', password: '[redacted]' } });
  assert.equal(JSON.stringify(t).includes('S9'), true, 'the input trace is left as it was');
});

// Found by e2e flow 11: nginx's debug log prints each request header, and its lines became the nginx span's steps.
test('redactTrace: nginx debug-log steps and the source reason lose the credentials they quote', () => {
  const t = trace([
    span({
      name: 'nginx',
      sourceReason: 'matched on Cookie: sid=S3',
      steps: [
        { phase: 'read', message: 'http header: "Authorization: Bearer S1abcdefgh"' },
        { phase: 'read', message: 'http header: "X-Api-Key: S2"' },
        { phase: 'read', message: 'http header: "X-Tenant: gold"' },
      ],
    }),
  ]);
  const out = redactTrace(t).spans[0];
  const text = JSON.stringify(out);
  for (const s of ['S1abcdefgh', 'S2"', 'sid=S3']) assert.ok(!text.includes(s), `${s} survived: ${text}`);
  assert.equal(out.steps?.[2].message, 'http header: "X-Tenant: gold"', 'other headers stay readable');
  assert.equal(out.steps?.length, 3);
});

// ---- properties ---------------------------------------------------------------------------------------------------

// Secrets start with a marker so that random filler cannot contain one by chance.
const secret = fc.stringMatching(/^[A-Za-z0-9]{6,30}$/).map((s) => `Zq9${s}`);
const filler = fc.stringMatching(/^[ a-zA-Z0-9,;.:/"'=&?#()\n\t-]{0,30}$/).filter((s) => !s.includes('Zq9'));
const secretName = fc.oneof(
  fc.constantFrom(...SECRET_HEADERS),
  fc.constantFrom('token', 'access_token', 'X-Auth-Token', 'x_api_key', 'apiKey', 'client_secret', 'PASSWORD'),
  fc.constantFrom('session', 'sessionid', 'set-cookie', 'private-key', 'credentials', 'auth', 'db.password', 'sig'),
);
const scheme = fc.constantFrom('http', 'https', 'postgres', 'redis', 'amqp', 'git+ssh');
const carrier = fc.oneof(
  fc.tuple(scheme, fc.stringMatching(/^[a-z]{0,8}$/)).map(
    ([s, u]) =>
      (x: string) =>
        `${s}://${u ? `${u}:` : ''}${x}@host.example:80/p`,
  ),
  fc.tuple(secretName).map(
    ([n]) =>
      (x: string) =>
        `https://h.example/p?a=1&${n}=${x}&b=2`,
  ),
  fc.tuple(secretName, fc.constantFrom(': ', '=', ':', ' = ', '": "', "'='")).map(
    ([n, eq]) =>
      (x: string) =>
        `${n}${eq}${x}`,
  ),
  fc
    .constantFrom('Bearer ', 'Basic ', 'Authorization: Bearer ', 'Authorization: Basic ')
    .map((p) => (x: string) => `${p}${x}`),
);

test('property: a secret planted in text through any carrier never survives redact()', () => {
  fc.assert(
    fc.property(filler, carrier, secret, filler, (before, wrap, s, after) => {
      const out = redact(`${before} ${wrap(s)}${after.startsWith('Zq9') ? '' : ' '}${after}`);
      assert.ok(!out.includes(s), `the secret survived: ${JSON.stringify(out)}`);
    }),
    { numRuns: 5000 },
  );
});

test('property: a secret under a secret name, or carried in any string attribute, never survives redactTrace()', () => {
  const attrName = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/);
  fc.assert(
    fc.property(
      secretName,
      secret,
      attrName,
      carrier,
      filler,
      fc.boolean(),
      (name, s, plainName, wrap, text, asArray) => {
        const value = asArray ? [s] : s;
        const t = trace(
          [
            span({
              name: `${text} ${wrap(s)}`,
              attributes: { [name]: value, [`http.request.header.${name}`]: value, [plainName]: `${text} ${wrap(s)}` },
              events: [
                { timeUnixNano: '1', name: 'e', attributes: { nested: { [name]: s, deeper: [{ v: wrap(s) }] } } },
              ],
            }),
          ],
          [{ code: 'x', severity: 'warning', message: `${text} ${wrap(s)}`, hint: wrap(s) }],
        );
        const out = JSON.stringify(redactTrace(t));
        assert.ok(!out.includes(s), `the secret survived: ${out}`);
      },
    ),
    { numRuns: 3000 },
  );
});

test('property: names are secret-named exactly when the rule says, whatever their case and separators', () => {
  fc.assert(
    fc.property(secretName, fc.constantFrom('', 'x-', 'http.request.header.', 'my_'), (n, prefix) => {
      assert.ok(isSecretName(prefix + n) && isSecretName((prefix + n).toUpperCase()), prefix + n);
    }),
  );
});

test('a trace-backend URL with user:password@ is named without it, in feeds and in setting errors', () => {
  const snapshot = { services: [] } as never;
  const api = {} as never;
  const ok = backendFeeds({ api, snapshot, setting: 'http://admin:PASSWORD@127.0.0.1:16686', traceId: 'a'.repeat(32) });
  assert.deepEqual(
    ok.feeds.map((f) => f.name),
    ['jaeger-v3 http://127.0.0.1:16686'],
  );
  const bad = backendFeeds({ api, snapshot, setting: 'http://admin:PASSWORD@127.0.0.1:1', traceId: 'a'.repeat(32) });
  assert.equal(bad.diagnostics.length, 1);
  assert.ok(!JSON.stringify(bad.diagnostics).includes('PASSWORD'), JSON.stringify(bad.diagnostics));
});
