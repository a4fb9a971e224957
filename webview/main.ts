// Entry of the trace panel bundle (dist/webview.js, dist/webview.css). Components are imported one by one
// to keep the bundle small.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './style.css';
import './burst.css';
import './route-compare.css';
import { post } from './api';
import { App } from './app';

function start(): void {
  const root = document.getElementById('app');
  if (!root) return;
  const app = new App(root);
  (window as unknown as { __kubetrace?: App }).__kubetrace = app;
  // Save before the panel goes away (hidden panels without retainContextWhenHidden are torn down).
  window.addEventListener('pagehide', () => app.flush());
  // The host queues its messages until this arrives.
  post({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
