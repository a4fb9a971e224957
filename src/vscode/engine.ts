// The heavy part of the engine (probe, source mapping, import/export: YAML and protobuf parsers), bundled as
// dist/engine.js and loaded on first use so that activation stays small and fast.
export { runProbe } from '../core/probe/run';
export { mapProbeSources } from '../core/probe/map-sources';
export { openImport } from '../core/io/import';
export { renderLiveIngressYaml } from '../core/sourcemap/routing';
export { exportTrace as exportTraces } from '../core/io/export';
export { probeForAgent } from '../core/summary/probe';
export { runBurst } from '../core/burst/run';
export { summarizeLog } from '../core/burst/log-set';
export { compareBursts } from '../core/burst/compare';
export { runCompare } from '../core/compare/run';
