/**
 * Certificates for the tls-relay scenario, made once per bench run by openssl (the tests' helper):
 * a CA, the gateway's and storescp's certificate, and storescu's and the gateway's client one.
 */
import { rm } from 'node:fs/promises';
import { makeLeaf, makePki, type Leaf, type Pki } from '../tests/helpers/certificates.ts';

export interface BenchTls {
  pki: Pki;
  server: Leaf;
  client: Leaf;
}

let made: Promise<BenchTls> | undefined;

export function benchTls(): Promise<BenchTls> {
  made ??= (async () => {
    const pki = await makePki('Bench CA');
    return { pki, server: await makeLeaf(pki, 'server'), client: await makeLeaf(pki, 'client') };
  })();
  return made;
}

/** Removes the certificates, if any were made. */
export async function disposeBenchTls(): Promise<void> {
  const tls = await made;
  made = undefined;
  if (tls) await rm(tls.pki.dir, { recursive: true, force: true });
}
