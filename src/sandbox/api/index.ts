// The sandbox's Kubernetes API stand-in. What other parts call:
//
//   startApiServer({ store, logs, host?='127.0.0.1', port?=0, ca?, serverCert?, restrictedNamespace?='shop',
//                    adminToken?, restrictedToken?, execResolver? })
//     → Promise<{ url, adminToken, restrictedToken, restrictedNamespace, caPem, ca, setExecResolver(fn), close() }>
//     HTTPS on a free port; discovery, get/list/watch, Tables, pods/log, pods/portforward, pods/exec,
//     services/proxy and pods/proxy. Writes answer 405.
//   ExecResolver = (pod, container, command[]) => { file, args, cwd?, env? } | undefined   (undefined: run as given)
//
// Next to it (src/sandbox/):
//   certs.ts          createCa() → Ca {certPem,keyPem};  issueCert(ca, ['shop.kubetrace.test', '127.0.0.1']) → {certPem,keyPem}
//   kubeconfig.ts     writeKubeconfig(file, { server, caPem, adminToken, restrictedToken?, restrictedNamespace? });
//                     kubeconfigYaml(sameOptions); contexts SANDBOX_CONTEXT ('kubetrace-sandbox'), RESTRICTED_CONTEXT
//   manifest-loader.ts loadManifests(paths[], { existingNamespaces? }) → { objects, refused: {file, document, reason}[] };
//                     parseManifestText(text, file); applyObjects(store, objects); demoManifestsDir(); BUILTIN_NAMESPACES
//   controllers.ts    startControllers(store, { podSubnet?='127.10.0' })
//                       → { reconcile(), setLoadBalancer({ip, ports:[http, https], service?}), stop() };
//                     setPodState(store, ns, pod, { ready, running?, phase?, reason?, message?, restartCount?,
//                       exitCode?, containerPorts?: {portName: port} });
//                     APP_ANNOTATION ('sandbox.kubetrace.dev/app')
//   object-defaults.ts safeHash(s, n), and the defaults controllers fill in; object-status.ts servedByNginx(store, ingress)
//   scale.ts          scaleObjects(n, ingressClassName='nginx') → KubeObject[]; scaleNamespaces(n)
//
// Typical start: store = new ObjectStore(); c = startControllers(store, { podSubnet });
//   const { objects, refused } = await loadManifests([demoManifestsDir(), ...userDirs]); applyObjects(store, objects);
//   api = await startApiServer({ store, logs });
//   await writeKubeconfig(file, { server: api.url, caPem: api.caPem, adminToken: api.adminToken,
//     restrictedToken: api.restrictedToken });
export { startApiServer, type ApiServer, type ApiServerOptions } from './server';
export type { ExecResolver, ExecCommand } from './exec';
export { KUBE_VERSION } from './discovery';
export { RESOURCES, type ResourceDef } from './kinds';
export { rfc3339Nano } from './log';
