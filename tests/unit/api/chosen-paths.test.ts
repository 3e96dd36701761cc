import { describe, expect, it } from 'vitest';
import { CommandError } from '../../../src-main/api/command-failure.ts';
import { ChosenPaths } from '../../../src-main/api/chosen-paths.ts';

describe('ChosenPaths', () => {
  it('allows a chosen file, a chosen folder and everything beneath it, and the initial roots', () => {
    const chosen = new ChosenPaths(['/data/uploads']);
    chosen.allow(['/home/rad/study', '/home/rad/one.dcm']);
    expect(chosen.isAllowed('/home/rad/study')).toBe(true);
    expect(chosen.isAllowed('/home/rad/study/series1/IM0001')).toBe(true);
    expect(chosen.isAllowed('/home/rad/one.dcm')).toBe(true);
    expect(chosen.isAllowed('/data/uploads/upload-x/a.dcm')).toBe(true);
  });

  it('refuses what was not chosen: system files, neighbours, names that only start alike, and climbing out with ..', () => {
    const chosen = new ChosenPaths(['/data/uploads']);
    chosen.allow(['/home/rad/study']);
    for (const path of [
      '/etc/shadow',
      '/home/rad',
      '/home/rad/other.dcm',
      '/home/rad/study-2/x.dcm',
      '/home/rad/study/../../../etc/shadow',
      '/data/uploads/../index.sqlite',
      '/data',
      'study/x.dcm',
      '',
      '/home/rad/study\0/x',
    ]) {
      expect(chosen.isAllowed(path), path).toBe(false);
    }
  });

  it('ignores relative and empty choices (they name nothing the user saw)', () => {
    const chosen = new ChosenPaths();
    chosen.allow(['relative/dir', '', '/ok\0/no']);
    expect(chosen.isAllowed(`${process.cwd()}/relative/dir/x`)).toBe(false);
  });

  it('check() throws a CommandError in words, with the command and the refused paths as the detail', () => {
    const chosen = new ChosenPaths();
    chosen.allow(['/home/rad/study']);
    expect(() => chosen.check('scanPaths', ['/home/rad/study/a.dcm'])).not.toThrow();
    const err = (() => {
      try {
        chosen.check('scanPaths', ['/home/rad/study/a.dcm', '/etc']);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({
      message: expect.stringMatching(/only opens files and folders you chose or dropped/),
      detail: 'scanPaths: refused 1 path(s) the user did not choose: "/etc"',
    });
  });
});
