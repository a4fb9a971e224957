export { parseAccessLogLine, looksLikeAccessLog, MAX_LINE_CHARS } from './parse';
export type { AccessLogFormat, AccessLogRecord, UpstreamTry, ParseResult } from './parse';
export { nginxSpansFromRecord, findRecordByRequestId, splitHostPort } from './spans';
export type { NginxSpanContext, FoundRecord } from './spans';
export { importNginxLog } from './import';
export type { NginxImportItem } from './import';
