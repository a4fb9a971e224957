// Entry of the separate dist/kube.js bundle: the extension and CLI load @kubernetes/client-node lazily through it.
export * from '@kubernetes/client-node';
