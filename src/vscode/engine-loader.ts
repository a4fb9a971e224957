// Loads the engine (dist/engine.js in the bundle, see scripts/build.mjs) on first use.
export type Engine = typeof import('./engine');
let engine: Promise<Engine> | undefined;
export const loadEngine = (): Promise<Engine> => (engine ??= import('./engine'));
