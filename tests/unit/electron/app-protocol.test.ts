/** The app scheme: which URLs are the app's own, and what the scheme handler serves from the renderer build. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INDEX_URL, isAppUrl, serveAppRequest } from '../../../src-main/electron/app-protocol.ts';
import { CONTENT_SECURITY_POLICY } from '../../../src-main/electron/content-security-policy.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

let root: string;
let rendererDir: string;

beforeAll(async () => {
  root = await makeTempDir('app-protocol-');
  rendererDir = join(root, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  await writeFile(join(root, 'secret.txt'), 'outside the renderer build');
});

afterAll(async () => {
  await removeDir(root);
});

describe('isAppUrl', () => {
  it('accepts the app origin only', () => {
    expect(isAppUrl(APP_INDEX_URL)).toBe(true);
    expect(isAppUrl('app://gateway/assets/app.js?x=1#y')).toBe(true);
    for (const url of [
      'https://gateway/index.html',
      'file:///index.html',
      'app://gateway.evil.example/',
      'app://evil/',
      'app://gateway:8080/',
      'app://user@gateway/',
      'app://user:pw@gateway/',
      'javascript:alert(1)',
      'not a url',
      '',
    ]) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });
});

describe('serveAppRequest', () => {
  it('serves the page with its content type, the CSP and nosniff', async () => {
    const response = await serveAppRequest(APP_INDEX_URL, rendererDir);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('./assets/app.js');
  });

  it('serves scripts as JavaScript, and the root as index.html', async () => {
    const script = await serveAppRequest('app://gateway/assets/app.js', rendererDir);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log("app")');
    expect(await (await serveAppRequest('app://gateway/', rendererDir)).text()).toContain('<!doctype html>');
  });

  it('answers 404 (with the CSP) for a missing file, another host, or any path leaving the renderer build', async () => {
    for (const url of [
      'app://gateway/missing.js',
      'app://other/index.html',
      'app://gateway/..%2fsecret.txt',
      'app://gateway/assets/..%2f..%2fsecret.txt',
      'app://gateway/%2e%2e%2fsecret.txt',
      'app://gateway/index.html%00.js',
      'app://gateway/%E0%A4%A',
    ]) {
      const response = await serveAppRequest(url, rendererDir);
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy'), url).toBe(CONTENT_SECURITY_POLICY);
    }
  });
});

describe('the content security policy', () => {
  it('allows scripts from the app only: no inline script, no eval, no remote origin, no framing', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|\*|https?:/);
  });
});
