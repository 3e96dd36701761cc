import dimse from 'dcmjs-dimse';
import { describe, expect, it } from 'vitest';
import { describeSopClass, sopClassName } from '../../../src-main/dicom/sop-class-names.ts';
import { isKnownNonStorageSopClass, isStorageSopClass } from '../../../src-main/dicom/sop-classes.ts';

describe('sopClassName', () => {
  it('names every storage class of the standard, those dcmjs-dimse does not list included', () => {
    expect(sopClassName('1.2.840.10008.5.1.4.1.1.2')).toBe('CT Image Storage');
    expect(sopClassName('1.2.840.10008.5.1.4.1.1.9.1.1')).toBe('12-lead ECG Waveform Storage');
    expect(sopClassName('1.2.840.10008.5.1.4.1.1.481.2')).toBe('RT Dose Storage');
    expect(sopClassName('1.2.840.10008.5.1.4.1.1.66.4')).toBe('Segmentation Storage');
    expect(sopClassName('1.2.840.10008.5.1.4.38.1')).toBe('Hanging Protocol Storage');
    expect(sopClassName('1.2.840.10008.5.1.4.1.1.6')).toBe('Ultrasound Image Storage (Retired)');
    expect(sopClassName('1.2.840.10008.1.1')).toBe('Verification');
  });

  it('names every storage class dcmjs-dimse knows, as storage (the table is a superset of its constants)', () => {
    for (const [key, uid] of Object.entries(dimse.constants.StorageClass as Record<string, string>)) {
      expect(sopClassName(uid), `${key} ${uid}`).not.toBe(uid);
      expect(isStorageSopClass(uid), `${key} ${uid}`).toBe(true);
    }
  });

  it('shows a class it does not know as its UID, never a guess', () => {
    expect(sopClassName('1.2.826.0.1.3680043.9.7777.42')).toBe('1.2.826.0.1.3680043.9.7777.42');
  });

  it('describes a class for messages with its name and UID, or the UID alone', () => {
    expect(describeSopClass('1.2.840.10008.5.1.4.1.1.2')).toBe('CT Image Storage (1.2.840.10008.5.1.4.1.1.2)');
    expect(describeSopClass('1.2.826.0.1.3680043.9.7777.42')).toBe('1.2.826.0.1.3680043.9.7777.42');
  });
});

describe('isStorageSopClass', () => {
  it('counts the standard storage classes outside the 1.2.840.10008.5.1.4.1.1 arc as storage, not as other services', () => {
    for (const uid of ['1.2.840.10008.5.1.4.38.1', '1.2.840.10008.5.1.4.39.1', '1.2.840.10008.5.1.4.43.1', '1.2.840.10008.5.1.4.34.7']) {
      expect(isStorageSopClass(uid), uid).toBe(true);
      expect(isKnownNonStorageSopClass(uid), uid).toBe(false);
    }
    expect(isKnownNonStorageSopClass('1.2.840.10008.5.1.4.1.2.2.1')).toBe(true); // Study Root Q/R FIND
  });
});
