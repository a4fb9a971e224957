// The session's probes and imports, newest first. Traces are kept with secrets redacted.
import type { HistoryEntry, ProbeSummary, Trace } from '../protocol/messages';
import { redactTrace } from '../core/redact';
import type { CurlRequest } from '../core/probe/curl';

export interface HistoryItem {
  entry: HistoryEntry;
  trace: Trace;
  probe?: ProbeSummary;
  curl?: CurlRequest;
  rerun?: () => Promise<void>;
}

const MAX = 50;

export class History {
  private items: HistoryItem[] = [];
  private counter = 0;

  add(item: Omit<HistoryItem, 'entry'> & { entry: Omit<HistoryEntry, 'id'> }): HistoryItem {
    const full: HistoryItem = {
      ...item,
      trace: redactTrace(item.trace),
      entry: { ...item.entry, id: `h${++this.counter}` },
    };
    this.items.unshift(full);
    if (this.items.length > MAX) this.items.length = MAX;
    return full;
  }
  get(id: string): HistoryItem | undefined {
    return this.items.find((i) => i.entry.id === id);
  }
  latest(): HistoryItem | undefined {
    return this.items[0];
  }
  probes(): HistoryItem[] {
    return this.items.filter((i) => i.probe);
  }
  entries(): HistoryEntry[] {
    return this.items.map((i) => i.entry);
  }
}
