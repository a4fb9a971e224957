// Test stand-in for the VS Code webview host API. Loaded as an external script (the CSP allows no
// inline script), before the panel bundle. It records what the panel posts, keeps setState across
// reloads in sessionStorage (as VS Code keeps it across hide/show), and lets tests post host messages.
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var theme = params.get('theme') || 'dark';
  var kind = { light: 'vscode-light', hc: 'vscode-high-contrast', 'hc-light': 'vscode-high-contrast-light' }[theme];
  kind = kind || 'vscode-dark';
  // As VS Code's webview host does: Light High Contrast also gets the vscode-high-contrast class.
  document.body.classList.add(kind);
  if (kind === 'vscode-high-contrast-light') document.body.classList.add('vscode-high-contrast');
  document.body.setAttribute('data-vscode-theme-kind', kind);

  window.__posted = [];
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
  });

  var acquired = false;
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error('acquireVsCodeApi may be called only once');
    acquired = true;
    return Object.freeze({
      postMessage: function (m) {
        window.__posted.push(JSON.parse(JSON.stringify(m)));
      },
      getState: function () {
        var s = sessionStorage.getItem('kubetrace-state');
        return s ? JSON.parse(s) : undefined;
      },
      setState: function (s) {
        sessionStorage.setItem('kubetrace-state', JSON.stringify(s));
        return s;
      },
    });
  };

  // What the extension host does: postMessage arrives as a 'message' event carrying a structured clone.
  window.__host = {
    post: function (m) {
      window.dispatchEvent(new MessageEvent('message', { data: m }));
    },
  };
})();
