import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rootCertificates } from 'node:tls';
import fc from 'fast-check';
import { curlCommand, curlRequest } from '../../src/core/probe/curl';
import { redactHeaders } from '../../src/core/redact';

const PROBE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLUSTER_CA = '-----BEGIN CERTIFICATE-----\nMIIBclusterCA\n-----END CERTIFICATE-----';
const headers = {
  'user-agent': 'kubetrace-probe/0.1',
  accept: '*/*',
  Authorization: 'Bearer s3cret',
  cookie: 'session=abc',
  'X-Api-Key': 'k1',
  'proxy-authorization': 'Basic eA==',
  'x-auth-token': 't0k',
  'x-tenant': 'blue',
  traceparent: `00-${PROBE_ID}-00f067aa0ba902b7-01`,
  'x-request-id': PROBE_ID,
};
const base = {
  method: 'post',
  url: 'https://shop.kubetrace.test:8443/orders?x=1',
  target: { address: '127.10.0.2', port: 8443 },
  headers,
  body: Buffer.from(`{"a":"it's"}`),
  ca: [CLUSTER_CA],
  probeTraceId: PROBE_ID,
};

/** The command after its leading comment lines (a quoted value may itself hold a newline). */
function commandOf(text: string): string {
  const lines = text.split('\n');
  while (lines[0].startsWith('#')) lines.shift();
  return lines.join('\n');
}

/** The words of each command line, as a POSIX shell splits them (printf stands in for curl). */
function shellWords(line: string): string[] {
  assert.ok(line.startsWith('curl '));
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line.slice(5)}`]);
  return out.toString('utf8').split('\0').slice(0, -1);
}

test('every secret header is left out, and named (not its value) in the comment', () => {
  const req = curlRequest(base);
  const text = curlCommand(req, { caFile: '/tmp/ca.pem' });
  for (const secret of ['s3cret', 'session=abc', 'k1', 'eA==', 't0k']) assert.ok(!text.includes(secret), secret);
  assert.deepEqual(req.dropped.sort(), ['authorization', 'cookie', 'proxy-authorization', 'x-api-key', 'x-auth-token']);
  assert.match(text.split('\n')[0], /Secret headers left out: .*authorization.*cookie/);
  // The same list as the redactor's: whatever Copy as curl drops, redactHeaders hides.
  const shown = redactHeaders(headers);
  for (const name of req.dropped) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name)!;
    assert.equal(shown[key], '[redacted]');
  }
  assert.equal(shown['x-tenant'], 'blue');
});

test('the command carries fresh ids, says so in a comment line, and never repeats the probe ids', () => {
  const text = curlCommand(curlRequest(base), { caFile: '/tmp/ca.pem' });
  const [comment, line] = text.split('\n');
  assert.ok(!line.includes(PROBE_ID), 'the probe trace id is not sent again');
  assert.ok(!line.includes('00f067aa0ba902b7'));
  const m = /^# Fresh trace id ([0-9a-f]{32}) .*not as part of probe ([0-9a-f]{32})/.exec(comment);
  assert.ok(m, comment);
  assert.equal(m[2], PROBE_ID);
  const words = shellWords(commandOf(text));
  const hdr = (n: string) => words.find((w, i) => words[i - 1] === '-H' && w.toLowerCase().startsWith(`${n}: `));
  assert.equal(hdr('x-request-id'), `x-request-id: ${m[1]}`);
  assert.match(hdr('traceparent')!, new RegExp(`^traceparent: 00-${m[1]}-[0-9a-f]{16}-01$`));
  assert.equal(hdr('x-tenant'), 'x-tenant: blue');
  assert.equal(hdr('user-agent'), undefined);
  // Two copies, two traces.
  const again = curlCommand(curlRequest(base), { caFile: '/tmp/ca.pem' });
  assert.notEqual(again.split('\n')[0], comment);
});

test('HTTPS: --cacert with the roots the probe trusted, and --resolve to where it connected', () => {
  const req = curlRequest(base);
  assert.ok(req.caPem!.includes(CLUSTER_CA));
  assert.ok(req.caPem!.includes(rootCertificates[0]), 'system roots too, as the probe trusts them');
  const words = shellWords(commandOf(curlCommand(req, { caFile: "/home/o'neil/ca.pem" })));
  assert.equal(words[words.indexOf('--cacert') + 1], "/home/o'neil/ca.pem");
  assert.equal(words[words.indexOf('--resolve') + 1], 'shop.kubetrace.test:8443:127.10.0.2');
  assert.equal(words[words.indexOf('-X') + 1], 'POST');
  assert.equal(words[words.indexOf('--data-binary') + 1], `{"a":"it's"}`);
  assert.equal(words.at(-1), base.url);
  // Without a CA file the command says what it lacks rather than failing with curl's error 60.
  assert.match(curlCommand(req), /needs --cacert/);
});

test('plain HTTP has no CA; an insecure probe copies as --insecure', () => {
  const http = curlRequest({ ...base, url: 'http://shop.kubetrace.test/orders' });
  assert.equal(http.caPem, undefined);
  assert.ok(!curlCommand(http).includes('--cacert'));
  const insecure = curlRequest({ ...base, insecure: true });
  assert.equal(insecure.caPem, undefined);
  assert.ok(shellWords(commandOf(curlCommand(insecure))).includes('--insecure'));
  const v6 = curlRequest({ ...base, target: { address: '::1', port: 8443 } });
  const w = shellWords(commandOf(curlCommand(v6, { caFile: '/c' })));
  assert.equal(w[w.indexOf('--resolve') + 1], 'shop.kubetrace.test:8443:[::1]');
});

test('a newline inside a quoted value stays inside it (seed -512628547)', () => {
  const req = curlRequest({ ...base, headers: { 'x-v': '\n' }, body: undefined });
  const words = shellWords(commandOf(curlCommand(req, { caFile: '/c' })));
  assert.equal(words[words.indexOf('-H') + 1], 'x-v: \n');
});

test('property: header values, bodies and paths reach curl word for word through the shell', () => {
  const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\0/g, ''));
  fc.assert(
    fc.property(text, text, fc.webPath(), (value, body, path) => {
      const req = curlRequest({
        ...base,
        url: `https://shop.kubetrace.test:8443${path}`,
        headers: { 'x-v': value },
        body: Buffer.from(body),
      });
      const words = shellWords(commandOf(curlCommand(req, { caFile: '/c' })));
      assert.equal(words[words.indexOf('-H') + 1], `x-v: ${value}`);
      if (body.length) assert.equal(words[words.indexOf('--data-binary') + 1], Buffer.from(body).toString('utf8'));
      assert.equal(words.at(-1), req.url);
    }),
    { numRuns: 60 },
  );
});
