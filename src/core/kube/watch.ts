// Keeps a listing current: one watch per kind, reconnecting with backoff; callers get a debounced "changed".
import type { KubeRequester } from './request';
import { kindPath, type KindPath } from './list';
import { errorMessage } from '../errors';
import { KubeApiError } from './errors';

export interface WatchHandle {
  stop(): void;
}

export function watchKinds(
  api: KubeRequester,
  kinds: KindPath[],
  opts: {
    namespace?: string;
    onChange: () => void;
    onError?: (message: string, retryInMs: number) => void;
    debounceMs?: number;
  },
): WatchHandle {
  const stopper = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(opts.onChange, opts.debounceMs ?? 300);
  };
  for (const kind of kinds) void loop(kind);

  async function loop(kind: KindPath): Promise<void> {
    let backoff = 1000;
    let resourceVersion: string | undefined;
    while (!stopper.signal.aborted) {
      try {
        if (!resourceVersion) {
          const list = await api.json<{ metadata?: { resourceVersion?: string } }>({
            path: kindPath(kind, opts.namespace),
            query: { limit: 1 },
            signal: stopper.signal,
          });
          resourceVersion = list.metadata?.resourceVersion;
        }
        const res = await api.stream({
          path: kindPath(kind, opts.namespace),
          query: { watch: 1, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
          signal: stopper.signal,
        });
        if (res.statusCode === 404) return; // kind not served (e.g. no Gateway API): nothing to watch
        if (res.statusCode !== 200) throw new Error(`watch ${kind.plural} answered ${res.statusCode}`);
        backoff = 1000;
        let buf = '';
        for await (const chunk of res) {
          buf += chunk.toString('utf8');
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            let ev: { type?: string; object?: { metadata?: { resourceVersion?: string }; code?: number } };
            try {
              ev = JSON.parse(line);
            } catch {
              continue;
            }
            if (ev.type === 'ERROR') {
              resourceVersion = undefined;
              if (ev.object?.code === 410) changed();
              break;
            }
            if (ev.object?.metadata?.resourceVersion) resourceVersion = ev.object.metadata.resourceVersion;
            if (ev.type !== 'BOOKMARK') changed();
          }
        }
      } catch (e) {
        if (stopper.signal.aborted) return;
        // The first list of a kind not served (no Gateway API CRDs) answers 404 too: nothing to watch, no retries.
        if (e instanceof KubeApiError && e.status === 404) return;
        opts.onError?.(errorMessage(e), backoff);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 30_000);
        resourceVersion = undefined;
      }
    }
  }
  return {
    stop: () => {
      stopper.abort();
      clearTimeout(timer);
    },
  };
}
