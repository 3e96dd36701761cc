/**
 * The studies browser, instance view, images and housekeeping through the UI contract, against a
 * real gateway that received pydicom's CT from DCMTK storescu: what the renderer gets and what it
 * is refused.
 */
import { access, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type {
  AuditEvent,
  InstanceElements,
  RenderedFrame,
  RetentionSaved,
  SeriesSummary,
  StudyRecord,
} from '../../src-main/api/contract.ts';
import { storescu } from '../helpers/dcmtk.ts';
import { useApiPair } from '../helpers/api-pair.ts';
import { waitFor } from '../helpers/wait.ts';

const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
const CT_STUDY = '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322';

describe('studies, images and housekeeping through the API', () => {
  const pair = useApiPair('studies-api-');

  beforeEach(async () => {
    const sent = await storescu(pair.router.address!.port, [CT_SMALL], { calledAe: 'GATEWAY', callingAe: 'CT_SCANNER' });
    expect(sent.code, sent.stderr).toBe(0);
  });

  it('finds the study, lists its series with a thumbnail, renders it and lists its elements', async () => {
    const [study] = (await pair.api.dispatch('searchStudies', {
      patient: 'compressedsamples',
      modality: 'CT',
      callingAe: 'ct_scanner',
    })) as StudyRecord[];
    expect(study).toMatchObject({ studyInstanceUid: CT_STUDY, patientId: '1CT1', instanceCount: 1, callingAes: ['CT_SCANNER'] });
    const [series] = (await pair.api.dispatch('listSeries', { studyInstanceUid: CT_STUDY })) as SeriesSummary[];
    const thumbnail = (await pair.api.dispatch('renderFrame', { instanceId: series!.thumbnailInstanceId, maxSize: 64 })) as RenderedFrame;
    expect(thumbnail).toMatchObject({ ok: true, width: 64, height: 64, columns: 128, rows: 128 });
    const elements = (await pair.api.dispatch('instanceElements', { instanceId: series!.thumbnailInstanceId })) as InstanceElements;
    // The gateway's own meta group, then the dataset as it arrived.
    expect(elements.rows.find((r) => r.tag === '(0002,0013)')?.value).toBe('DICOMGATEWAY_01');
    expect(elements.rows.find((r) => r.tag === '(0009,1001)')).toMatchObject({ privateCreator: 'GEMS_IDEN_01' });
  });

  it('refuses a negative frame, a zero-width window and a date that is not one, in plain words', async () => {
    for (const args of [
      { instanceId: 1, frame: -1 },
      { instanceId: 1, window: { center: 0, width: 0 } },
    ]) {
      await expect(pair.api.dispatch('renderFrame', args)).rejects.toMatchObject({ message: 'The request was not valid.' });
    }
    await expect(pair.api.dispatch('searchStudies', { dateFrom: 'last week' })).rejects.toMatchObject({
      detail: expect.stringMatching(/dateFrom/),
    });
    await expect(pair.api.dispatch('saveRetention', { days: -1 })).rejects.toMatchObject({ message: 'The request was not valid.' });
  });

  it('deletes a study (files, rows, an event, an audit line) and then says it is no longer there', async () => {
    const [instance] = pair.router.browse.instances({ studyInstanceUid: CT_STUDY });
    const file = pair.router.instancePath(instance!.instanceId);
    await expect(pair.api.dispatch('deleteStudy', { studyInstanceUid: CT_STUDY })).resolves.toMatchObject({ instances: 1, jobs: 0 });
    await expect(access(file)).rejects.toThrow(/ENOENT/);
    expect(pair.events.find((e) => e.name === 'studies-deleted')?.payload).toMatchObject({
      by: 'user',
      studies: [{ studyInstanceUid: CT_STUDY }],
    });
    await expect(pair.api.dispatch('deleteStudy', { studyInstanceUid: CT_STUDY })).rejects.toMatchObject({
      message: 'That study is no longer in the store.',
    });
    const audit = (await pair.api.dispatch('searchAudit', { text: 'compressedsamples' })) as AuditEvent[];
    expect(audit.map((e) => [e.action, e.actor])).toEqual([
      ['deleted', 'user'],
      ['received', 'CT_SCANNER'],
    ]);
  });

  it('records a file sent by hand in the audit trail, naming the node it went to', async () => {
    const copy = join(pair.work, 'ct.dcm');
    await copyFile(CT_SMALL, copy);
    const target = { aeTitle: 'ARCHIVE', host: '127.0.0.1', port: pair.archive.address!.port };
    pair.api.allowPaths([copy]); // the user chose it
    const { sendId } = (await pair.api.dispatch('sendFiles', { paths: [copy], target })) as { sendId: number };
    await waitFor('the send to finish', () => pair.events.find((e) => e.name === 'send-finished' && e.payload.sendId === sendId));
    const [sent] = (await pair.api.dispatch('searchAudit', { action: 'sent' })) as AuditEvent[];
    expect(sent).toMatchObject({
      actor: 'GATEWAY',
      target: `ARCHIVE@127.0.0.1:${pair.archive.address!.port}`,
      sopInstanceUid: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
      detail: copy,
    });
    const { csv, rows } = (await pair.api.dispatch('exportAuditCsv', {})) as { csv: string; rows: number };
    expect(rows).toBe(2);
    expect(csv).toMatch(/^at,action,actor,target,/);
  });

  it('applies a retention rule saved through the API to a study nothing was routed for', async () => {
    await expect(pair.api.dispatch('getRetention', undefined)).resolves.toEqual({ days: null, source: 'default' });
    const saved = (await pair.api.dispatch('saveRetention', { days: 0 })) as RetentionSaved;
    expect(saved.settings).toEqual({ days: 0, source: 'saved' });
    expect(saved.run).toMatchObject({ deleted: [{ studyInstanceUid: CT_STUDY, instances: 1 }], keptUnforwarded: 0 });
    // The save's run was the one run: asking again finds nothing left.
    await expect(pair.api.dispatch('runRetention', undefined)).resolves.toMatchObject({ deleted: [] });
    await expect(pair.api.dispatch('searchStudies', {})).resolves.toEqual([]);
    const deleted = (await pair.api.dispatch('searchAudit', { action: 'deleted' })) as AuditEvent[];
    expect(deleted.map((e) => [e.actor, e.studyInstanceUid, e.instances])).toEqual([['retention', CT_STUDY, 1]]);
  });
});
