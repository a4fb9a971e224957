// Cluster discovery: kubeconfig, raw API requests, the route tree, controllers, permissions, logs, port-forward, service proxy.
export * from './load';
export * from './request';
export * from './errors';
export * from './objects';
export * from './list';
export * from './routes';
export * from './tree';
export * from './controller';
export * from './permissions';
export * from './logs';
export * from './portforward';
export * from './proxy';
export * from './watch';
