import { describe, expect, it } from 'vitest';
import type { SendResult, SendFailureKind } from '../../../src-main/dicom/store-scu.ts';
import { classifyFailure } from '../../../src-main/routing/failure-policy.ts';

function result(failureKind: SendFailureKind, status: number | null = null): SendResult {
  return {
    file: 'f.dcm',
    ok: false,
    sopClassUid: '1.2',
    sopInstanceUid: '1.2.3',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    status,
    statusHex: null,
    meaning: '',
    error: 'e',
    bytes: 0,
    sha256: undefined,
    failureKind,
  };
}

describe('classifyFailure', () => {
  it.each(['connection-refused', 'timeout', 'rejected', 'aborted', 'network', 'unreadable'] as const)('retries %s', (kind) => {
    expect(classifyFailure(result(kind))).toBe('retry');
  });

  it.each([0xa700, 0xa7ff, 0xc000, 0xc123, 0x0110])('retries status 0x%s', (status) => {
    expect(classifyFailure(result('status', status))).toBe('retry');
  });

  it.each([0x0122, 0x0124, 0x0117, 0xa900])('gives up at once on status 0x%s, which will never succeed', (status) => {
    expect(classifyFailure(result('status', status))).toBe('dead');
  });

  it('gives up at once when the peer refuses the SOP class or the syntax', () => {
    expect(classifyFailure(result('sop-class-refused'))).toBe('dead');
    expect(classifyFailure(result('syntax-refused'))).toBe('dead');
  });

  it('gives up at once on a dataset that cannot be converted: it fails the same way every time', () => {
    expect(classifyFailure(result('transcode-failed'))).toBe('dead');
  });
});
