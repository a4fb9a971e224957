export { fetchTrace } from './fetch';
export { urlTransport, type UrlTransportOptions } from './transport';
export { chooseBackend, discoverBackends, parseBackendSetting, type ServiceInfo } from './discover';
export type { Backend, BackendCandidate, BackendKind, FetchOptions, Transport, TransportResponse } from './types';
export { canFindTraces, findTraces, type FindQuery, type Found } from './find';
