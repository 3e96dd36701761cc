/** What the gateway announces when it accepts an association, as DCMTK storescu reads it. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storescu } from '../helpers/dcmtk.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { startGateway } from '../helpers/gateway-process.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

describe('association acceptance', () => {
  let work: string;
  let file: string;
  beforeAll(async () => {
    work = await makeTempDir('negotiation-');
    [file] = (await writeP10Files(join(work, 'in'), 1, { seed: 31 })) as [string];
  });
  afterAll(() => removeDir(work));

  // dcmjs-dimse would announce min(ours, the requestor's own receive limit): storescu (16 KiB)
  // would then cut every dataset into 16 KiB PDUs although the gateway takes 64 KiB.
  it.each([
    [[], 65524],
    [['--max-pdu', '32768'], 32756],
  ])("announces its own maximum PDU length (args %j), not the requestor's", async (args, maxSendPdv) => {
    const gateway = await startGateway({ storage: join(work, `store-${maxSendPdv}`), args });
    try {
      const result = await storescu(gateway.port, [file], { extraArgs: ['-v'] });
      expect(result.code).toBe(0);
      expect(result.stderr + result.stdout).toContain(`Association Accepted (Max Send PDV: ${maxSendPdv})`);
    } finally {
      await gateway.stop();
    }
  });

  it('names itself with the gateway implementation class UID and version', async () => {
    const gateway = await startGateway({ storage: join(work, 'store-impl') });
    try {
      const result = await storescu(gateway.port, [file], { extraArgs: ['-d'] });
      expect(result.stdout + result.stderr).toMatch(/Their Implementation Class UID:\s+2\.25\.302598485570690475450927131409596590711/);
      expect(result.stdout + result.stderr).toMatch(/Their Implementation Version Name:\s+DICOMGATEWAY_01/);
    } finally {
      await gateway.stop();
    }
  });
});
