import { describe, expect, it } from 'vitest';
import { attributeKeyProblem } from '../../../src-main/config/attribute-keys.ts';

describe('attribute keys in rules', () => {
  it("accepts keywords of the PS3.6 dictionary, retired ones with or without dcmjs's RETIRED_ prefix", () => {
    for (const key of ['PatientID', 'Modality', 'InstitutionName', 'RecognitionCode', 'RETIRED_RecognitionCode']) {
      expect(attributeKeyProblem(key), key).toBeUndefined();
    }
  });

  it('accepts tags, private ones included, in the forms the rule engine reads', () => {
    for (const key of ['(0010,0020)', '(0009,10ab)', '0010,0020', '00100020']) expect(attributeKeyProblem(key), key).toBeUndefined();
  });

  it('suggests the keyword that was probably meant, case mistakes and typos included', () => {
    expect(attributeKeyProblem('PatientId')).toBe('not a DICOM attribute keyword or a tag "(gggg,eeee)" (did you mean PatientID?)');
    expect(attributeKeyProblem('StudyDescripton')).toBe(
      'not a DICOM attribute keyword or a tag "(gggg,eeee)" (did you mean StudyDescription?)',
    );
    expect(attributeKeyProblem('Nonsense')).toBe('not a DICOM attribute keyword or a tag "(gggg,eeee)"');
  });

  it('shows how to write a tag that is almost in tag form', () => {
    expect(attributeKeyProblem('(0009100a)')).toBe('not a tag; write it as "(0009,100A)"');
    expect(attributeKeyProblem('0010 0020')).toBe('not a tag; write it as "(0010,0020)"');
    expect(attributeKeyProblem('(0010,002)')).toMatch(/^not a DICOM attribute keyword/);
  });
});
