import { describe, expect, it } from 'vitest';
import { selfTimes, type CpuProfile } from '../../../bench/profile-summary.ts';

const frame = (id: number, functionName: string, url = '') => ({ id, callFrame: { functionName, url, lineNumber: id } });

describe('selfTimes', () => {
  it('charges each time delta to the sample before it and adds up profiles', () => {
    const profile: CpuProfile = {
      nodes: [frame(1, '(root)'), frame(2, 'parse', 'file:///x/node_modules/dcmjs-dimse/build/a.js'), frame(3, 'write', 'node:fs')],
      samples: [2, 2, 3, 2],
      timeDeltas: [5, 100, 200, 300],
    };
    const { functions, modules, total } = selfTimes([profile, profile]);
    // Sample 0 gets its own lead-in delta (5); deltas 100 and 300 follow samples of parse, 200 a sample of write.
    expect(total).toBe(2 * 605);
    expect(functions.map((f) => [f.name, f.self])).toEqual([
      ['parse', 2 * 305],
      ['write', 2 * 300],
    ]);
    expect(functions[0]!.location).toBe('node_modules/dcmjs-dimse/build/a.js:3');
    expect(modules.map((m) => m.name)).toEqual(['node_modules/dcmjs-dimse/build/a.js', 'node:fs']);
  });
});
