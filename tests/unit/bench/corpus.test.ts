import { describe, expect, it } from 'vitest';
import { corpusDir, corpusSpec, instanceOptions, studySpecs } from '../../../bench/corpus.ts';
import { buildP10File, datasetRegion, geometry } from '../../helpers/dicom-fixtures.ts';

describe('instanceOptions', () => {
  // Instance numbers whose decimal width changes the header length (IS value and SOP Instance UID).
  it.each([['large' as const], ['small' as const]])('sizes every %s corpus file to exactly the target bytes', (name) => {
    const spec = corpusSpec(name, false);
    for (const i of [0, 8, 9, 98, 99, 998, 999, spec.count - 1]) {
      expect(buildP10File(instanceOptions(spec, i)).length).toBe(spec.fileBytes);
    }
  });

  it.each([['large' as const], ['small' as const]])(
    'gives every %s corpus file a whole image: Rows x Columns equal to its pixels',
    (name) => {
      const spec = corpusSpec(name, false);
      for (let i = 0; i < spec.count; i++) {
        const pixels = instanceOptions(spec, i).pixelDataBytes! / 2;
        const { rows, columns } = geometry(pixels);
        expect(rows * columns, `instance ${i + 1}`).toBe(pixels);
      }
    },
  );

  it('gives each instance its own SOP Instance UID within one study and series', () => {
    const spec = corpusSpec('small', true);
    const files = [0, 1].map((i) => datasetRegion(buildP10File(instanceOptions(spec, i))).toString('latin1'));
    const uid = (text: string, root: string) => new RegExp(`${root.replace(/\./g, '\\.')}\\.[\\d.]+`).exec(text)?.[0];
    expect(uid(files[0]!, '1.2.3.4.5.6.7.8.9.3')).not.toBe(uid(files[1]!, '1.2.3.4.5.6.7.8.9.3'));
    expect(uid(files[0]!, '1.2.3.4.5.6.7.8.9.1')).toBe(uid(files[1]!, '1.2.3.4.5.6.7.8.9.1'));
  });

  it('uses a per-corpus folder name that changes with count and size, so --quick never reuses a full corpus', () => {
    expect(corpusSpec('large', true).count).toBe(100);
    expect(corpusSpec('small', true).count).toBe(500);
    expect(corpusSpec('large', false)).toMatchObject({ count: 1000, fileBytes: 512 * 1024 });
    expect(corpusSpec('small', false)).toMatchObject({ count: 5000, fileBytes: 10 * 1024 });
  });
});

describe('studySpecs', () => {
  it('splits a corpus into equal studies of their own, each in its own folder, with the same total', () => {
    const spec = corpusSpec('large', false);
    const studies = studySpecs(spec, 4);
    expect(studies.map((s) => s.count)).toEqual([250, 250, 250, 250]);
    expect(new Set(studies.map((s) => s.seed)).size).toBe(4);
    expect(studies.map((s) => s.seed)).not.toContain(spec.seed);
    expect(new Set(studies.map((s) => corpusDir('/c', s))).size).toBe(4);
    expect(studies.map((s) => corpusDir('/c', s))).not.toContain(corpusDir('/c', spec));
    const studyUid = (s: typeof spec) =>
      /1\.2\.3\.4\.5\.6\.7\.8\.9\.1\.\d+/.exec(datasetRegion(buildP10File(instanceOptions(s, 0))).toString('latin1'))?.[0];
    expect(new Set(studies.map(studyUid)).size).toBe(4);
    expect(buildP10File(instanceOptions(studies[3]!, 249)).length).toBe(spec.fileBytes);
  });

  it('refuses a split that would drop files', () => {
    expect(() => studySpecs({ ...corpusSpec('large', false), count: 10 }, 4)).toThrow(/do not split into 4/);
  });
});
