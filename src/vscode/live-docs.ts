// Read-only YAML of live Ingresses (`kubetrace-live:/<ns>/<name>.yaml`), for rules whose manifest is not in the workspace.
import * as vscode from 'vscode';
import { KINDS, kindPath } from '../core/kube/list';
import type { Ingress } from '../core/kube/objects';
import { loadEngine } from './engine-loader';
import type { Cluster } from './cluster';

export const LIVE_URI_SCHEME = 'kubetrace-live';

export class LiveDocs implements vscode.TextDocumentContentProvider {
  constructor(private readonly cluster: Cluster) {}
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const m = /^\/([^/]+)\/([^/]+)\.yaml$/.exec(uri.path);
    if (!m || !this.cluster.api) return '# this object is not available';
    const obj = await this.cluster.api.json<Ingress>({ path: kindPath(KINDS.ingresses, m[1], m[2]) });
    return (await loadEngine()).renderLiveIngressYaml(obj);
  }
}
