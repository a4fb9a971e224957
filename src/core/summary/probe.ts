// One probe for an agent: send it, map spans to source, and return the trace with its summary text.
import { mapProbeSources, type MapOptions } from '../probe/map-sources';
import { runProbe, type ProbeOptions, type ProbeOutcome } from '../probe/run';
import type { Trace } from '../trace/model';
import { summarizeTrace } from './index';
import { safeUrl } from './text';

export interface AgentProbeResult {
  trace: Trace;
  outcome: ProbeOutcome;
  text: string;
}

export async function probeForAgent(probe: ProbeOptions, map: MapOptions): Promise<AgentProbeResult> {
  const outcome = await runProbe(probe);
  const trace = await mapProbeSources(outcome, map);
  const r = outcome.response;
  const answer = r.status !== undefined ? `HTTP ${r.status}` : `no answer (${r.error?.code ?? 'unknown'})`;
  const head =
    `probe ${probe.namespace}/${probe.name}: ${(probe.method ?? 'GET').toUpperCase()} ${safeUrl(outcome.url)} ` +
    `via ${outcome.target.kind} → ${answer}; trace id ${trace.traceId}${outcome.timings.complete ? '' : ' (incomplete)'}`;
  return {
    trace,
    outcome,
    text: `${head}\n${summarizeTrace(trace, { workspaceFolders: map.workspaceFolders, maxLines: 59 })}`,
  };
}
