/**
 * Certificates for TLS tests, made by openssl in a temp folder: a CA, and leaf certificates it
 * signs (server or client, valid, expired, or for another host name), with an encrypted key on request.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from './temp-dir.ts';

const run = promisify(execFile);

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
}

export interface Leaf {
  cert: string;
  key: string;
}

export async function makePki(name = 'Test CA'): Promise<Pki> {
  const dir = await makeTempDir('gateway-pki-');
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { dir, caCert, caKey };
}

export interface LeafOptions {
  /** Common name and DNS subject alternative name. */
  host?: string;
  /** Encrypt the private key with this passphrase. */
  passphrase?: string;
  /** Validity already over (both dates in 2020). */
  expired?: boolean;
}

let serial = 1;

/** A certificate signed by `pki` for `host` (default localhost, with IP 127.0.0.1), usable by servers and clients. */
export async function makeLeaf(pki: Pki, name: string, opts: LeafOptions = {}): Promise<Leaf> {
  const host = opts.host ?? 'localhost';
  const key = join(pki.dir, `${name}.key`);
  const csr = join(pki.dir, `${name}.csr`);
  const cert = join(pki.dir, `${name}.pem`);
  const ext = join(pki.dir, `${name}.ext`);
  const keyArgs = opts.passphrase ? ['-passout', `pass:${opts.passphrase}`] : ['-nodes'];
  await run('openssl', ['req', '-newkey', 'rsa:2048', ...keyArgs, '-keyout', key, '-out', csr, '-subj', `/CN=${host}`]);
  const san = host === 'localhost' ? 'DNS:localhost,IP:127.0.0.1' : `DNS:${host}`;
  await writeFile(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n`);
  if (opts.expired) await signExpired(pki, csr, cert, ext);
  else
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      pki.caCert,
      '-CAkey',
      pki.caKey,
      '-set_serial',
      String(serial++),
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      cert,
    ]);
  return { cert, key };
}

/** `openssl x509` cannot back-date a certificate; `openssl ca` can. */
async function signExpired(pki: Pki, csr: string, cert: string, ext: string): Promise<void> {
  const db = join(pki.dir, `index-${serial}.txt`);
  const conf = join(pki.dir, `ca-${serial}.cnf`);
  await writeFile(db, '');
  await writeFile(`${db}.serial`, '01\n');
  await writeFile(
    conf,
    `[ca]\ndefault_ca=test\n[test]\ndatabase=${db}\nserial=${db}.serial\nnew_certs_dir=${pki.dir}\ncertificate=${pki.caCert}\nprivate_key=${pki.caKey}\n` +
      `default_md=sha256\npolicy=any\nunique_subject=no\n[any]\ncommonName=supplied\n`,
  );
  await run('openssl', [
    'ca',
    '-batch',
    '-config',
    conf,
    '-in',
    csr,
    '-out',
    cert,
    '-extfile',
    ext,
    '-notext',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
  ]);
}
