// The sandbox's certificates, made with the openssl CLI at start: a CA, and leaf certificates it signs.
// Go (kubectl) ignores the CN and needs SANs, so every leaf carries DNS and IP SANs; EC P-256 keeps it fast.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Ca {
  certPem: string;
  keyPem: string;
}
export interface IssuedCert {
  certPem: string;
  keyPem: string;
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kubetrace-certs-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error('openssl was not found; install the openssl package', { cause: e });
    throw new Error(`openssl ${args[0]} failed: ${String(err.stderr ?? e).trim()}`, { cause: e });
  }
}

const keyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A fresh self-signed CA, valid for 10 years. */
export async function createCa(commonName = 'kubetrace-sandbox-ca'): Promise<Ca> {
  return inTempDir(async (dir) => {
    await openssl(
      [
        'req',
        '-x509',
        ...keyArgs,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '3650',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
        '-addext',
        'subjectKeyIdentifier=hash',
      ],
      dir,
    );
    return {
      certPem: await readFile(join(dir, 'ca.crt'), 'utf8'),
      keyPem: await readFile(join(dir, 'ca.key'), 'utf8'),
    };
  });
}

/** A server certificate signed by `ca` for the given host names and IP addresses (first one is the CN). */
export async function issueCert(ca: Ca, hostnames: string[]): Promise<IssuedCert> {
  if (!hostnames.length) throw new Error('issueCert needs at least one host name');
  const sans = hostnames.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  return inTempDir(async (dir) => {
    await writeFile(join(dir, 'ca.crt'), ca.certPem);
    await writeFile(join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
    await writeFile(
      join(dir, 'ext.cnf'),
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth,clientAuth',
        `subjectAltName=${sans}`,
        'authorityKeyIdentifier=keyid',
      ].join('\n'),
    );
    const cn = hostnames[0].replace(/[/=]/g, '_');
    await openssl(['req', '-new', ...keyArgs, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${cn}`], dir);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'leaf.crt',
        '-days',
        '825',
        '-sha256',
        '-extfile',
        'ext.cnf',
      ],
      dir,
    );
    return {
      certPem: await readFile(join(dir, 'leaf.crt'), 'utf8'),
      keyPem: await readFile(join(dir, 'leaf.key'), 'utf8'),
    };
  });
}
