// Keeps a listing current: one watch per kind, reconnecting with backoff; callers get a debounced "changed", and
// through `onReach` whether the API server still answers (reachability.ts), so a cluster that went away shows as
// such within a few seconds instead of leaving the last listing up.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeRequester } from './request';
import { kindPath, type KindPath } from './list';
import { errorMessage } from '../errors';
import { KubeApiError } from './errors';
import { Backoff, type BackoffOptions } from './backoff';
import { Reachability, isUnreachable, type Reach } from './reachability';

export interface WatchHandle {
  stop(): void;
}

/** A try that gets no answer within this is a server gone silent (a paused VM, a dropped route), not a slow one. */
const LIST_TIMEOUT_MS = 10_000;
/** A watch that ends sooner than this with nothing said is retried after a backoff, not at once (no busy loop). */
const SHORT_WATCH_MS = 1000;

export function watchKinds(
  api: KubeRequester,
  kinds: KindPath[],
  opts: {
    namespace?: string;
    onChange: () => void;
    onError?: (message: string, retryInMs: number) => void;
    /** Called when the API server stops or starts answering (not on every try). */
    onReach?: (r: Reach) => void;
    debounceMs?: number;
    backoff?: BackoffOptions;
  },
): WatchHandle {
  const stopper = new AbortController();
  const reach = new Reachability((r) => {
    if (!stopper.signal.aborted) opts.onReach?.(r);
  });
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(opts.onChange, opts.debounceMs ?? 300);
  };
  for (const kind of kinds) void loop(kind);

  async function loop(kind: KindPath): Promise<void> {
    const backoff = new Backoff(opts.backoff);
    let resourceVersion: string | undefined;
    while (!stopper.signal.aborted) {
      let wait = 0;
      try {
        if (!resourceVersion) {
          const list = await api.json<{ metadata?: { resourceVersion?: string } }>({
            path: kindPath(kind, opts.namespace),
            query: { limit: 1 },
            signal: stopper.signal,
            timeoutMs: LIST_TIMEOUT_MS,
          });
          resourceVersion = list.metadata?.resourceVersion;
          reach.answered();
        }
        const res = await api.stream({
          path: kindPath(kind, opts.namespace),
          query: { watch: 1, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
          signal: stopper.signal,
        });
        reach.answered();
        if (res.statusCode !== 200) {
          res.resume(); // drained, so the keep-alive connection is free again
          if (res.statusCode === 404) return; // kind not served (e.g. no Gateway API): nothing to watch
          throw new Error(`watch ${kind.plural} answered ${res.statusCode}`);
        }
        const opened = Date.now();
        const read = await readEvents(res, (ev) => {
          if (ev.type === 'ERROR') {
            resourceVersion = undefined;
            if (ev.object?.code === 410) changed();
            return false;
          }
          if (ev.object?.metadata?.resourceVersion) resourceVersion = ev.object.metadata.resourceVersion;
          if (ev.type !== 'BOOKMARK') changed();
          return true;
        });
        // The stream ended or broke (a server timeout, a restart, a proxy hanging up): the next list, at once,
        // tells a server that is still there from one that is gone. A stream that ends at once, silent, is
        // retried after the backoff.
        if (read.lines || Date.now() - opened >= SHORT_WATCH_MS) backoff.reset();
        else wait = backoff.next();
      } catch (e) {
        if (stopper.signal.aborted) return;
        // The first list of a kind not served (no Gateway API CRDs) answers 404 too: nothing to watch, no retries.
        if (e instanceof KubeApiError && e.status === 404) return;
        wait = backoff.next();
        if (isUnreachable(e)) reach.failed(e, wait);
        else if (e instanceof KubeApiError) reach.answered();
        opts.onError?.(errorMessage(e), wait);
        resourceVersion = undefined;
      }
      if (wait) await sleep(wait, undefined, { signal: stopper.signal }).catch(() => {});
    }
  }
  return {
    stop: () => {
      stopper.abort();
      clearTimeout(timer);
    },
  };
}

interface WatchEvent {
  type?: string;
  object?: { metadata?: { resourceVersion?: string }; code?: number };
}

/** Reads JSON lines until the stream ends, breaks, or `onEvent` returns false. */
async function readEvents(
  res: AsyncIterable<Buffer | string>,
  onEvent: (ev: WatchEvent) => boolean,
): Promise<{ lines: number; broken: boolean }> {
  let buf = '';
  let lines = 0;
  try {
    for await (const chunk of res) {
      buf += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        lines++;
        let ev: WatchEvent;
        try {
          ev = JSON.parse(line);
        } catch {
          continue;
        }
        if (!onEvent(ev)) return { lines, broken: false };
      }
    }
  } catch {
    return { lines, broken: true };
  }
  return { lines, broken: false };
}
