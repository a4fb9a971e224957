export { parseAppLogLine, logfmt } from './parse';
export type { AppLogLine } from './types';
export { matchAppLogLines } from './match';
export { appLogEvents, derivedAppSpan } from './spans';
export type { DerivedSpanContext } from './spans';
export { parseLogTime } from './timestamp';
