// Where pods listen. Normally each pod binds its own loopback address in the pod subnet (127.10.0.x); macOS
// configures only 127.0.0.1 on lo0, so binding those fails with EADDRNOTAVAIL. Then (or when asked with
// --single-address) every pod listens on 127.0.0.1 with ports of its own, picked by the OS
// (src/sandbox/runtime/runtime.ts assigns them), and the pod subnet only names the pods that run no process.
import { createServer } from 'node:net';

export const SINGLE_ADDRESS = '127.0.0.1';

/** Binds `ip` on a port the OS picks and closes it again: undefined when that works, else the error code. */
export function bindError(ip: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    srv.listen(0, ip, () => srv.close(() => resolve(undefined)));
  });
}

export interface Addressing {
  /** Every pod on 127.0.0.1 with its own ports. */
  single: boolean;
  /** The one line that says why, when the sandbox fell back on its own. */
  notice?: string;
}

/**
 * Decides the addressing: forced single, or single when the subnet's first pod address cannot be bound.
 * Only EADDRNOTAVAIL (the address is not configured) falls back; other errors are left to surface at start.
 */
export async function decideAddressing(o: {
  subnet: string;
  force?: boolean;
  bindError?: (ip: string) => Promise<string | undefined>;
}): Promise<Addressing> {
  if (o.force) return { single: true };
  const ip = `${o.subnet}.2`;
  const code = await (o.bindError ?? bindError)(ip);
  if (code !== 'EADDRNOTAVAIL') return { single: false };
  return {
    single: true,
    notice: `${ip} cannot be bound on this machine (EADDRNOTAVAIL); pods share ${SINGLE_ADDRESS} with a port each`,
  };
}
