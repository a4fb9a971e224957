// The panel HTML: the CSP VS Code's docs recommend, nonce-only scripts, and every value escaped.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { contentSecurityPolicy, escapeHtml, renderPanelHtml } from '../../src/vscode/panel-html';

const SRC = 'https://*.vscode-cdn.net';
const nonce = () => randomBytes(16).toString('base64');

test('CSP: nothing by default, scripts only by nonce, styles and fonts only from the webview source', () => {
  const n = nonce();
  assert.equal(
    contentSecurityPolicy(SRC, n),
    `default-src 'none'; img-src ${SRC} data:; font-src ${SRC}; style-src ${SRC}; script-src 'nonce-${n}';`,
  );
  assert.doesNotMatch(contentSecurityPolicy(SRC, n), /unsafe-(inline|eval)/);
});

test('every script has the nonce and a src; there is no inline script or handler', () => {
  const n = nonce();
  const html = renderPanelHtml({
    cspSource: SRC,
    nonce: n,
    scriptUri: `${SRC}/dist/webview.js`,
    styleUri: `${SRC}/dist/webview.css`,
    preloadScriptUris: [`${SRC}/stub.js`],
    codiconsUri: `${SRC}/codicon.css`,
  });
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 2);
  for (const [, attrs, body] of scripts) {
    assert.equal(body, '');
    assert.match(attrs, new RegExp(` nonce="${n.replace(/[+/]/g, (c) => `\\${c}`)}"`));
    assert.match(attrs, / src="https:\/\//);
  }
  assert.ok(html.indexOf('stub.js') < html.indexOf('webview.js'), 'preloads come first');
  assert.doesNotMatch(html, /\son[a-z]+=/i);
  assert.doesNotMatch(html, /style="/);
  assert.match(
    html,
    /<link id="vscode-codicon-stylesheet" rel="stylesheet" href="https:\/\/\*\.vscode-cdn\.net\/codicon\.css">/,
  );
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
});

test('values are escaped', () => {
  const html = renderPanelHtml({
    cspSource: SRC,
    nonce: nonce(),
    scriptUri: 'https://x/a.js"><script>alert(1)</script>',
    styleUri: "https://x/'b.css",
    title: '<b>T</b>',
  });
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /a\.js&quot;&gt;&lt;script&gt;/);
  assert.match(html, /&#39;b\.css/);
  assert.match(html, /<title>&lt;b&gt;T&lt;\/b&gt;<\/title>/);
  assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
});

test('a nonce or source that could break out of the policy is refused', () => {
  const base = { scriptUri: 'a.js', styleUri: 'a.css' };
  assert.throws(() => renderPanelHtml({ ...base, cspSource: SRC, nonce: "abc' 'unsafe-inline" }), /nonce/);
  assert.throws(() => renderPanelHtml({ ...base, cspSource: SRC, nonce: 'short' }), /nonce/);
  assert.throws(() => renderPanelHtml({ ...base, cspSource: `${SRC}; script-src *`, nonce: nonce() }), /cspSource/);
  assert.throws(() => renderPanelHtml({ ...base, cspSource: "'unsafe-inline'", nonce: nonce() }), /cspSource/);
  assert.throws(() => renderPanelHtml({ ...base, cspSource: '', nonce: nonce() }), /cspSource/);
  assert.doesNotThrow(() => renderPanelHtml({ ...base, cspSource: `${SRC} vscode-resource:`, nonce: nonce() }));
});

test('each render with a fresh nonce differs only in the nonce', () => {
  const a = nonce();
  const b = nonce();
  const ha = renderPanelHtml({ cspSource: SRC, nonce: a, scriptUri: 'https://x/w.js', styleUri: 'https://x/w.css' });
  const hb = renderPanelHtml({ cspSource: SRC, nonce: b, scriptUri: 'https://x/w.js', styleUri: 'https://x/w.css' });
  assert.notEqual(ha, hb);
  assert.equal(ha.split(a).join('N'), hb.split(b).join('N'));
});

test("VS Code 1.100's real cspSource ('self' plus the CDN host) is accepted; smuggled keywords are not", () => {
  const policy = contentSecurityPolicy("'self' https://*.vscode-cdn.net", 'AAAAAAAAAAAAAAAAAAAAAAAA');
  assert.match(policy, /style-src 'self' https:\/\/\*\.vscode-cdn\.net;/);
  assert.doesNotMatch(policy, /unsafe/);
  for (const bad of ["'self' 'unsafe-inline'", "'self'; script-src *", "https://a.test 'unsafe-eval'"]) {
    assert.throws(() => contentSecurityPolicy(bad, 'AAAAAAAAAAAAAAAAAAAAAAAA'), /bad cspSource/, bad);
  }
});
