// Whether the API server answers, as the watches see it. Every try reports here: any HTTP answer (even 403 or
// 404) means the server is there; a failure below HTTP (refused, reset, timed out, TLS) means it is not. Only
// changes are passed on, so the tree redraws once when the cluster goes away and once when it is back, however
// many kinds are watched and however often they retry.
import { KubeApiError } from './errors';
import { errorMessage } from '../errors';

export type Reach =
  | { kind: 'unknown' }
  | { kind: 'up' }
  | { kind: 'down'; error: unknown; message: string; since: number; retryInMs: number };

/** A failure that says the API server did not answer at all (status 0 in errors.ts), not one it answered with. */
export function isUnreachable(e: unknown): boolean {
  return e instanceof KubeApiError && e.status === 0 && e.reason !== 'Cancelled' && e.reason !== 'AuthConfig';
}

export class Reachability {
  private current: Reach = { kind: 'unknown' };

  constructor(
    private readonly onChange: (r: Reach) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): Reach {
    return this.current;
  }

  /** A try failed without an answer; the caller tries again in `retryInMs`. */
  failed(error: unknown, retryInMs: number): void {
    if (this.current.kind === 'down') return;
    this.set({ kind: 'down', error, message: errorMessage(error), since: this.now(), retryInMs });
  }

  /** The API server answered something. */
  answered(): void {
    if (this.current.kind !== 'up') this.set({ kind: 'up' });
  }

  private set(r: Reach): void {
    this.current = r;
    this.onChange(r);
  }
}
