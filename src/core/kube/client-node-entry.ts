// Entry of the separate dist/kube.js bundle, loaded lazily by the extension and the CLI. Only what Kubetrace
// uses is exported (deep imports keep the rest of client-node out: ~0.9 MB instead of ~3.5 MB).
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { PortForward } from '@kubernetes/client-node/dist/portforward.js';
export { Exec } from '@kubernetes/client-node/dist/exec.js';
