// How long to wait before the next try after a failure: doubling from 1 s to 30 s, with jitter so that the
// watches of several kinds (and several VS Code windows) do not knock on a restarting API server at once.
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** Up to this share of each wait is taken off at random (0: none). */
  jitter?: number;
  /** [0, 1); tests pass a fixed sequence. */
  random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private base: number;

  constructor(o: BackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 1000;
    this.maxMs = o.maxMs ?? 30_000;
    this.jitter = Math.min(Math.max(o.jitter ?? 0.2, 0), 1);
    this.random = o.random ?? Math.random;
    this.base = this.initialMs;
  }

  /** The wait before the next try; each call doubles the following one, up to the cap. */
  next(): number {
    const wait = Math.round(this.base * (1 - this.jitter * this.random()));
    this.base = Math.min(this.base * 2, this.maxMs);
    return wait;
  }

  /** The server answered: the next failure waits the initial time again. */
  reset(): void {
    this.base = this.initialMs;
  }
}
