import { describe, expect, it } from 'vitest';
import { resultLine } from '../../../src-main/cli/send-command.ts';
import type { SendResult } from '../../../src-main/dicom/store-scu.ts';

const IMPLICIT = '1.2.840.10008.1.2';

function failed(error: string): SendResult {
  return {
    file: '/data/rtplan.dcm',
    ok: false,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.481.5',
    sopInstanceUid: '1.2.3',
    transferSyntaxUid: IMPLICIT,
    status: null,
    statusHex: null,
    meaning: 'Failure',
    error,
    bytes: 0,
    sha256: undefined,
    failureKind: 'malformed',
  };
}

describe('send result lines', () => {
  it("names a failed file's transfer syntax once: after the error, unless the error already does", () => {
    expect(resultLine(failed('PACS@10.0.0.5:104 answered 0xA700 (Refused: out of resources)'), 0, 3)).toBe(
      '[1/3] FAILED ------ /data/rtplan.dcm: PACS@10.0.0.5:104 answered 0xA700 (Refused: out of resources) [Implicit VR Little Endian (1.2.840.10008.1.2)]',
    );
    const odd =
      'not sent: its dataset is 1829 bytes long, an odd length, which Implicit VR Little Endian (1.2.840.10008.1.2) does not allow';
    expect(resultLine(failed(odd), 1, 3)).toBe(`[2/3] FAILED ------ /data/rtplan.dcm: ${odd}`);
  });
});
