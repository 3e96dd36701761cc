import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentTypeOf, resolveStaticPath } from '../../../src-main/api/static-files.ts';

const root = resolve('/srv/renderer');

describe('resolveStaticPath', () => {
  it('maps / to index.html and other paths to files under the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveStaticPath(root, '/assets/app-1a2b.js')).toBe(join(root, 'assets', 'app-1a2b.js'));
    expect(resolveStaticPath(root, '/assets/with%20space.css')).toBe(join(root, 'assets', 'with space.css'));
  });

  it.each([
    '/../secret',
    '/assets/../../secret',
    '/..%2fsecret',
    '/%2e%2e/secret',
    '/..%5csecret',
    '/a/%2e%2e/%2e%2e/secret',
    '/%00',
    '/%E0%A4%A',
    '/.',
    '/assets/..',
  ])('gives nothing for %s, which would leave the root, is malformed, or names the root itself', (path) => {
    expect(resolveStaticPath(root, path)).toBeUndefined();
  });

  it('keeps an absolute-looking path inside the root', () => {
    expect(resolveStaticPath(root, '//etc/passwd')).toBe(join(root, 'etc', 'passwd'));
    expect(resolveStaticPath(root, '/%2fetc%2fpasswd')).toBe(join(root, 'etc', 'passwd'));
  });

  it('does not accept a sibling folder whose name starts like the root', () => {
    expect(resolveStaticPath(root, '/../renderer-evil/x.js')).toBeUndefined();
  });
});

describe('contentTypeOf', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['app.js', 'text/javascript; charset=utf-8'],
    ['APP.CSS', 'text/css; charset=utf-8'],
    ['font.woff2', 'font/woff2'],
    ['icon.png', 'image/png'],
    ['data.bin', 'application/octet-stream'],
    ['noextension', 'application/octet-stream'],
  ])('%s is %s', (name, type) => {
    expect(contentTypeOf(name)).toBe(type);
  });
});
