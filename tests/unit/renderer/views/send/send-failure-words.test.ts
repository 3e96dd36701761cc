import { describe, expect, test } from 'vitest';
import { nameUids } from '../../../../../src-renderer/src/views/send/send-failure-words.ts';

describe('nameUids', () => {
  test('names a bare SOP class or transfer syntax UID of an engine message', () => {
    expect(nameUids('PACS@10.0.0.5:104 does not accept SOP class 1.2.840.10008.5.1.4.1.1.2')).toBe(
      'PACS@10.0.0.5:104 does not accept SOP class CT Image Storage (1.2.840.10008.5.1.4.1.1.2)',
    );
  });

  test('leaves a UID the engine already named alone, instead of naming it twice', () => {
    const message =
      'PACS@10.0.0.5:104 did not accept transfer syntax JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50) for SOP class ' +
      'Secondary Capture Image Storage (1.2.840.10008.5.1.4.1.1.7), and this destination does not allow transcoding; the file was not sent';
    expect(nameUids(message)).toBe(message);
  });
});
