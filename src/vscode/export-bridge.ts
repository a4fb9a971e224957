// Bridge to the core exporter (src/core/io), kept in one place so the adapter has one call to change.
import type { Trace } from '../core/trace/model';

export async function exportTraces(_traces: Trace[], _format: 'otlp' | 'jaeger'): Promise<string> {
  throw new Error('export is not wired yet');
}
