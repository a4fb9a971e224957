// The loop the sandbox's Gateway nginx and its haproxy share: a change to a kind the proxy is configured from
// schedules a reload 50 ms later (a burst of changes gives one), reloads run one at a time, and stop waits for the
// one running. Each proxy says how to reload: regenerate, check, install, signal. (ingress-nginx's controller,
// src/sandbox/nginx/controller.ts, also prepares its config while the apps start, so it keeps its own loop.)
import type { ObjectStore, StoreChange } from '../store';
import type { PodProcess } from './process';

export abstract class ReloadLoop {
  protected proc?: PodProcess;
  protected stopped = false;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  protected readonly onChange = (c: StoreChange): void => {
    if (!this.kinds.has(c.object.kind) || !this.proc || this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sync().catch((e) => this.say(`${this.what} reload failed: ${(e as Error).message}`));
    }, 50);
  };

  protected constructor(
    private readonly store: ObjectStore,
    private readonly kinds: ReadonlySet<string>,
    private readonly what: string,
  ) {}

  /** Regenerates now and resolves when the proxy runs the result (false when nothing changed). */
  async sync(): Promise<boolean> {
    let changed = false;
    const step = async () => {
      changed = await this.reload();
    };
    this.running = this.running.then(step, step);
    await this.running;
    return changed;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.store.off('change', this.onChange);
    if (this.timer) clearTimeout(this.timer);
    await this.running.catch(() => {});
    await this.proc?.stop();
  }

  protected abstract reload(): Promise<boolean>;
  protected abstract say(line: string): void;
}
