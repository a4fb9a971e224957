// What a probe takes and what it gives back; the stages (resolve, send, collect, finish) fill it in turn.
import type { LoadedKubeconfig } from '../kube/load';
import type { Ingress, Pod } from '../kube/objects';
import type { KubeRequester } from '../kube/request';
import type { Trace } from '../trace/model';
import type { ProbeChoice } from './choose';
import type { Target } from './target';
import type { CurlRequest } from './curl';

export interface ProbeOptions {
  config: LoadedKubeconfig;
  api: KubeRequester;
  /** Which kind of route; without it, NS/NAME is an Ingress, or an HTTPRoute when no Ingress has that name. */
  kind?: 'Ingress' | 'HTTPRoute';
  namespace: string;
  name: string;
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  via?: 'lb' | 'port-forward';
  /** For an HTTPRoute: prefer a listener of this scheme when the route has several (an Ingress's TLS decides). */
  scheme?: 'http' | 'https';
  /** Add the `kubetrace=<traceId>` query marker even when the controller's log keeps the User-Agent. */
  mark?: 'query';
  insecure?: boolean;
  caFiles?: string[];
  timeoutMs?: number;
  traceBackend?: string;
  /** Required for a non-GET probe or one with a body outside the sandbox. */
  confirmed?: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Test hook: how long to wait for spans after the response. */
  maxWaitMs?: number;
}

export interface ProbeOutcome {
  trace: Trace;
  choice: ProbeChoice;
  target: { kind: Target['kind']; address: string; port: number; scheme: 'http' | 'https' };
  url: string;
  response: {
    status?: number;
    headers: Record<string, string>;
    body: string;
    bodyTruncated: boolean;
    error?: { code: string; message: string };
  };
  /** The controller pod's log lines around the probe, for the nginx execution path. */
  controllerLog: { pod?: Pod; lines: string[] };
  timings: { exchangeMs: number; readyMs: number; complete: boolean };
  /** The live Ingresses, for linking the matched rule when its manifest is not in the workspace. */
  ingresses: Ingress[];
  /** The request as Copy as curl shows it (src/core/probe/curl.ts renders it with fresh ids). */
  curl: CurlRequest;
}
