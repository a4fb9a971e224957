// The VS Code webview API, typed to our protocol. acquireVsCodeApi may be called only once.
import type { WebviewToHost } from '../src/protocol/messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
function get(): VsCodeApi {
  if (!api) {
    api =
      typeof acquireVsCodeApi === 'function'
        ? acquireVsCodeApi()
        : { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };
  }
  return api;
}

export function post(message: WebviewToHost): void {
  get().postMessage(message);
}
export function loadState(): unknown {
  return get().getState();
}
export function saveState(state: unknown): void {
  get().setState(state);
}
