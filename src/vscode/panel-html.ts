// The trace panel's HTML. Pure (no `vscode` import) so the browser harness serves exactly what VS Code shows.
// The caller makes `nonce` with crypto.randomBytes for every render and passes webview.cspSource and asWebviewUri()s.

export interface PanelHtmlOptions {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconsUri?: string;
  /** Extra scripts loaded before the panel script with the same nonce (the test harness's stub API). */
  preloadScriptUris?: string[];
  /** Style sheets before the panel's own (the test harness's stand-in for VS Code's default webview styles). */
  baseStyleUris?: string[];
  /** Extra style sheets (the test harness's theme colours). */
  extraStyleUris?: string[];
  title?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A CSP source list must not smuggle in another directive or a quoted keyword such as 'unsafe-inline'. */
function checkSourceList(s: string): string {
  // VS Code 1.100 gives "'self' https://*.vscode-cdn.net": accept 'self' and scheme/host sources only, so no
  // other directive or keyword (such as 'unsafe-inline') can be smuggled in.
  const tokens = s.trim().split(/ +/);
  const ok =
    tokens.length > 0 &&
    tokens.every(
      (t) => t === "'self'" || /^[a-z][a-z0-9+.-]*:(\/\/[^\s;,'"\\]*)?$|^(\*\.)?[a-z0-9.-]+(:\d+)?$/i.test(t),
    );
  if (!ok) throw new Error('renderPanelHtml: bad cspSource');
  return tokens.join(' ');
}

function checkNonce(s: string): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(s))
    throw new Error('renderPanelHtml: the nonce must be base64 of at least 16 characters');
  return s;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  const src = checkSourceList(cspSource);
  const n = checkNonce(nonce);
  // No 'unsafe-inline' for styles: @vscode-elements (Lit) styles its shadow roots through
  // adoptedStyleSheets and sets styles through CSSOM, neither of which CSP's style-src blocks.
  // The waterfall positions its bars through CSSOM as well.
  return (
    [
      "default-src 'none'",
      `img-src ${src} data:`,
      `font-src ${src}`,
      `style-src ${src}`,
      `script-src 'nonce-${n}'`,
    ].join('; ') + ';'
  );
}

export function renderPanelHtml(o: PanelHtmlOptions): string {
  const nonce = escapeHtml(o.nonce);
  const links = [
    o.codiconsUri ? `<link id="vscode-codicon-stylesheet" rel="stylesheet" href="${escapeHtml(o.codiconsUri)}">` : '',
    ...(o.baseStyleUris ?? []).map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`),
    `<link rel="stylesheet" href="${escapeHtml(o.styleUri)}">`,
    ...(o.extraStyleUris ?? []).map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}">`),
  ].filter(Boolean);
  const scripts = [...(o.preloadScriptUris ?? []), o.scriptUri].map(
    (u) => `<script nonce="${nonce}" src="${escapeHtml(u)}"></script>`,
  );
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${links.join('\n')}
<title>${escapeHtml(o.title ?? 'Kubetrace')}</title>
</head>
<body>
<div id="app" class="kt-app"></div>
${scripts.join('\n')}
</body>
</html>
`;
}
