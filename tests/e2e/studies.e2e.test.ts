/**
 * End to end for what a user reaches for first: the studies browser, one instance in full (image
 * and every element), the viewer on a native CT and a multi-frame instance, delete with
 * confirmation, retention and the audit trail. Real Chromium, real `serve --ui-port 0`, studies
 * sent by DCMTK storescu, forwards received by DCMTK storescp.
 */
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoreScp, storescu, type StoreScp } from '../helpers/dcmtk.ts';
import { SopClass, writeP10Files } from '../helpers/dicom-fixtures.ts';
import { listFilesRecursive } from '../helpers/p10-regions.ts';
import {
  clippedControls,
  eventually,
  dataRows,
  rowCells,
  saveScreenshot,
  showView,
  sidewaysScrolling,
  tableLayoutProblems,
  useUiSuite,
} from './harness.ts';

const GATEWAY_AE = 'GATEWAY';
const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const UID_ROOT = '1.2.3.4.5.6.7.8.9.1428';

let configPath: string;
let archive: StoreScp;

const suite = useUiSuite('e2e-studies-', async (work) => {
  archive = await startStoreScp({ aeTitle: 'ARCHIVE' });
  const gone = await startStoreScp({ aeTitle: 'GONE' });
  await gone.stop();
  // CT goes to a working archive; MR to a switched-off one (dead after one attempt); RT dose nowhere.
  configPath = join(work, 'gateway.yaml');
  await writeFile(
    configPath,
    `destinations:
  - { name: archive, ae: ARCHIVE, host: 127.0.0.1, port: ${archive.port} }
  - { name: offline, ae: GONE, host: 127.0.0.1, port: ${gone.port} }
rules:
  - { name: ct-to-archive, match: { modality: CT }, forward: [archive] }
  - { name: mr-to-offline, match: { modality: MR }, forward: [offline] }
queue: { maxAttempts: 1 }
`,
  );
  return { storage: join(work, 'storage'), aeTitle: GATEWAY_AE, args: ['--config', configPath] };
});
beforeAll(sendCorpus, 120_000);

afterAll(async () => {
  await archive?.stop();
  if (archive) await rm(archive.outputDir, { recursive: true, force: true });
});

/** A native CT (pydicom's CT_small), a 15-frame RT dose, a 3-instance MR fixture and a JPEG-encapsulated fixture. */
async function sendCorpus(): Promise<void> {
  const ct = join(suite.work, 'CT_small.dcm');
  await copyFile(join(CORPUS, 'CT_small.dcm'), ct);
  const dose = join(suite.work, 'rtdose.dcm');
  await copyFile(join(CORPUS, 'rtdose.dcm'), dose);
  const mr = await writeP10Files(join(suite.work, 'mr'), 3, (i) => ({
    seed: 900 + i,
    studyInstanceUid: `${UID_ROOT}.1`,
    seriesInstanceUid: `${UID_ROOT}.1.1`,
    sopInstanceUid: `${UID_ROOT}.1.1.${i + 1}`,
    seriesNumber: 1,
    instanceNumber: i + 1,
    patientName: 'ROE^RICHARD',
    patientId: 'MR-77',
    studyDate: '20260301',
    // As long as an accession number can be (SH, 16 characters): the Studies list still fits 1024 px.
    accessionNumber: 'ACC-MR-2026-0417',
    studyDescription: 'MR knee left',
    modality: 'MR',
    sopClassUid: SopClass.MR,
    // 600x600, 16 bits: larger than the viewer's box at any window size the tests use.
    pixelDataBytes: 600 * 600 * 2,
  }));
  const jpeg = await writeP10Files(join(suite.work, 'jpeg'), 2, (i) => ({
    seed: 950 + i,
    studyInstanceUid: `${UID_ROOT}.2`,
    seriesInstanceUid: `${UID_ROOT}.2.1`,
    sopInstanceUid: `${UID_ROOT}.2.1.${i + 1}`,
    seriesNumber: 1,
    instanceNumber: i + 1,
    patientName: 'JPEG^JOE',
    patientId: 'XA-5',
    studyDate: '20260302',
    studyDescription: 'Compressed angio',
    modality: 'XA',
    sopClassUid: SopClass.SecondaryCapture,
    transferSyntaxUid: '1.2.840.10008.1.2.4.50',
  }));
  // storescu proposes JPEG Baseline only when told to (-xy).
  for (const [files, callingAe, extraArgs] of [
    [[ct], 'CT_SCANNER', []],
    [[dose], 'TPS', []],
    [mr, 'MR_SUITE', []],
    [jpeg, 'ANGIO', ['-xy']],
  ] as const) {
    const sent = await storescu(suite.ui.gateway.port, [...files], { calledAe: GATEWAY_AE, callingAe, extraArgs: [...extraArgs] });
    expect(sent.code, sent.stderr).toBe(0);
  }
}

const SEARCH_FIELDS = ['Patient name or ID', 'From', 'To', 'Modality', 'Accession', 'Sent by (AE)'];

/** Fills every field (the ones not given empty) and searches. */
async function search(view: Locator, fields: Record<string, string>): Promise<Locator> {
  const form = view.getByRole('form', { name: 'Search studies' });
  for (const label of SEARCH_FIELDS) await form.getByLabel(label, { exact: true }).fill(fields[label] ?? '');
  await form.getByRole('button', { name: 'Search' }).click();
  return view.getByRole('table', { name: 'Studies found' });
}

/** The patients a search shows, once its answer is on screen (the table is redrawn when it arrives). */
async function expectPatients(view: Locator, fields: Record<string, string>, patients: string[]): Promise<void> {
  const table = await search(view, fields);
  await expect.poll(() => patientsShown(table), { timeout: 10_000 }).toEqual(patients);
}

async function patientsShown(table: Locator): Promise<string[]> {
  const names: string[] = [];
  for (const row of await dataRows(table).all()) names.push(await row.getByRole('button').first().innerText());
  return names.sort();
}

async function openStudy(page: Page, patient: string): Promise<Locator> {
  const view = await showView(page, 'Studies');
  const table = await search(view, { 'Patient name or ID': patient.split(',')[0]! });
  await table.getByRole('button', { name: patient }).click();
  return view;
}

async function readout(page: Page): Promise<string> {
  return page.getByRole('region', { name: 'Instance' }).locator('.readout').innerText();
}

async function imageSource(page: Page): Promise<string> {
  return (await page.getByRole('application').locator('img').getAttribute('src')) ?? '';
}

describe('studies, instances, images and housekeeping, end to end', () => {
  it('finds stored studies by patient, ID, date range, modality, accession and sender, and keeps them across a restart', async () => {
    const { page, problems, close } = await suite.openPage('s1-studies');
    const view = await showView(page, 'Studies');
    const all = view.getByRole('table', { name: 'Studies found' });
    await eventually(
      'four studies stored',
      async () => {
        await view.getByRole('form', { name: 'Search studies' }).getByRole('button', { name: 'Search' }).click();
        return (await dataRows(all).count()) === 4;
      },
      20_000,
    );
    await expectPatients(view, { 'Patient name or ID': 'roe rich' }, ['ROE, RICHARD']);
    await expectPatients(view, { 'Patient name or ID': 'id111' }, ['Lastname, Firstname']);
    await expectPatients(view, { Modality: 'ct' }, ['CompressedSamples, CT1']);
    await expectPatients(view, { Accession: 'ACC-MR' }, ['ROE, RICHARD']);
    await expectPatients(view, { 'Sent by (AE)': 'angio' }, ['JPEG, JOE']);
    await expectPatients(view, { From: '2026-01-01', To: '2026-03-01' }, ['ROE, RICHARD']);
    await expect.poll(() => view.getByLabel('Disk usage').innerText()).toMatch(/^4 studies, 7 instances, .* stored/);

    // Open the MR study: its series with a thumbnail, and its instances.
    await expectPatients(view, {}, ['CompressedSamples, CT1', 'JPEG, JOE', 'Lastname, Firstname', 'ROE, RICHARD']);
    const table = view.getByRole('table', { name: 'Studies found' });
    const row = dataRows(table).filter({ hasText: 'MR knee left' });
    expect(await rowCells(table, row)).toMatchObject({
      Patient: 'ROE, RICHARD MR-77',
      'Sent by': 'MR_SUITE',
      Instances: '3',
      Modalities: 'MR',
    });
    await table.getByRole('button', { name: 'ROE, RICHARD' }).click();
    const detail = view.getByRole('region', { name: /ROE, RICHARD/ });
    await detail.getByRole('list', { name: 'Series' }).getByRole('img', { name: 'Image of Series 1 MR' }).waitFor();
    await eventually(
      '3 instances listed',
      async () => (await dataRows(detail.getByRole('table', { name: 'Instances of the series' })).count()) === 3,
    );
    await saveScreenshot(page, 's1-studies', 'studies');
    expect(await tableLayoutProblems(page), 'Studies found, Instances of the series').toEqual([]);
    expect(await clippedControls(page), 'Studies with a study open').toEqual([]);
    expect(problems).toEqual([]);
    await close();

    // A restart: the history comes from the index, not from what the page saw.
    await suite.restart({ aeTitle: GATEWAY_AE, args: ['--config', configPath] });
    const after = await suite.openPage('s1-studies-after-restart');
    const view2 = await showView(after.page, 'Studies');
    const table2 = view2.getByRole('table', { name: 'Studies found' });
    await eventually('four studies after the restart', async () => (await dataRows(table2).count()) === 4);
    expect(after.problems).toEqual([]);
    await after.close();
  });

  it('fits an image larger than the viewer inside its box, aspect kept', async () => {
    const { page, problems, close } = await suite.openPage('s2-large', { width: 1024, height: 640 });
    const view = await openStudy(page, 'ROE, RICHARD');
    await view.getByRole('button', { name: 'View image of instance 1' }).click();
    const canvas = page.getByRole('region', { name: 'Instance' }).getByRole('application');
    await expect.poll(() => readout(page)).toMatch(/600×600 MONOCHROME2$/);
    const box = (await canvas.boundingBox())!;
    const image = (await canvas.locator('img').boundingBox())!;
    expect(image.height, 'the image is as tall as the box').toBeCloseTo(box.height, 0);
    expect(image.y).toBeGreaterThanOrEqual(box.y - 0.5);
    expect(image.y + image.height).toBeLessThanOrEqual(box.y + box.height + 0.5);
    expect(image.width).toBeCloseTo(image.height, 0);
    await saveScreenshot(page, 's2-large-1024');
    expect(problems).toEqual([]);
    await close();
  });

  it('shows a native CT: window/level by dragging and by the keyboard, and every element with private creators', async () => {
    const { page, problems, close } = await suite.openPage('s2-ct');
    const view = await openStudy(page, 'CompressedSamples, CT1');
    await view.getByRole('button', { name: 'View image of instance 1' }).click();
    const instance = page.getByRole('region', { name: 'Instance' });
    await instance.getByRole('heading', { level: 1, name: 'Instance' }).waitFor();
    const canvas = instance.getByRole('application');
    await canvas.waitFor();
    // CT_small has no window of its own: the default spans its data, -896 to 1167 HU.
    await expect.poll(() => readout(page)).toBe('Frame 1 of 1 · W 2063 · L 136 · 128×128 MONOCHROME2');
    const first = await imageSource(page);

    await canvas.focus();
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => readout(page)).toMatch(/W 2063 · L 216 /);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => readout(page)).toMatch(/W 1982 · L 216 /);
    await expect.poll(() => imageSource(page)).not.toBe(first);

    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height / 2 + 40, { steps: 6 });
    await page.mouse.up();
    // 2063 HU of range over 256 steps: about 8 HU a pixel; left narrows, down raises the level.
    await expect
      .poll(async () => {
        const m = /W (\d+) · L (\d+)/.exec(await readout(page));
        return m ? Number(m[1]) < 1982 && Number(m[2]) > 216 : false;
      })
      .toBe(true);
    await saveScreenshot(page, 's2-ct-viewer', 'viewer');
    await page.keyboard.press('r');
    await expect.poll(() => readout(page)).toMatch(/W 2063 · L 136 /);

    // Every element: the private block named by its creator.
    await instance.getByRole('tab', { name: 'Elements' }).click();
    const elements = instance.getByRole('table', { name: 'Elements' });
    const privateRow = dataRows(elements).filter({ hasText: '(0009,1001)' });
    await privateRow.waitFor();
    expect(await rowCells(elements, privateRow)).toMatchObject({ Name: 'Private (GEMS_IDEN_01)', VR: 'LO', Value: 'GE_GENESIS_FF' });
    const patientRow = dataRows(elements).filter({ hasText: '(0010,0010)' });
    expect(await rowCells(elements, patientRow)).toMatchObject({ Name: 'PatientName', Value: 'CompressedSamples^CT1' });
    // The private block by its creator: what the README picture shows.
    await instance.getByRole('searchbox', { name: 'Find element' }).fill('GEMS_IDEN');
    await eventually('the GEMS_IDEN_01 block', async () => (await dataRows(elements).count()) > 5);
    await instance.getByRole('searchbox', { name: 'Find element' }).blur();
    await saveScreenshot(page, 's2-ct-elements', 'instance-elements');
    expect(await tableLayoutProblems(page), 'Elements').toEqual([]);
    await instance.getByRole('searchbox', { name: 'Find element' }).fill('rescale');
    await eventually('only the rescale rows', async () => (await dataRows(elements).count()) === 2);
    expect(await rowCells(elements, dataRows(elements).first())).toMatchObject({
      Tag: '(0028,1052)',
      Name: 'RescaleIntercept',
      Value: '-1024',
    });
    expect(problems).toEqual([]);
    await close();
  });

  it('scrolls the frames of a 15-frame instance by keyboard, slider and wheel', async () => {
    const { page, problems, close } = await suite.openPage('s3-multiframe');
    const view = await openStudy(page, 'Lastname, Firstname');
    await view.getByRole('button', { name: /^View image of instance/ }).click();
    const canvas = page.getByRole('application');
    await expect.poll(() => readout(page)).toMatch(/^Frame 1 of 15 · /);
    const frameOne = await imageSource(page);
    await canvas.focus();
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    await expect.poll(() => readout(page)).toMatch(/^Frame 3 of 15 · /);
    await page.keyboard.press('End');
    await expect.poll(() => readout(page)).toMatch(/^Frame 15 of 15 · /);
    await expect.poll(() => imageSource(page)).not.toBe(frameOne);
    await page.getByRole('slider', { name: 'Frame' }).fill('8');
    await expect.poll(() => readout(page)).toMatch(/^Frame 8 of 15 · /);
    await canvas.hover();
    await page.mouse.wheel(0, 100);
    await expect.poll(() => readout(page)).toMatch(/^Frame 9 of 15 · /);
    await page.keyboard.press('Home');
    await expect.poll(() => readout(page)).toMatch(/^Frame 1 of 15 · /);
    await expect.poll(() => imageSource(page)).toBe(frameOne);
    await saveScreenshot(page, 's3-multiframe', 'viewer-multiframe');
    expect(problems).toEqual([]);
    await close();
  });

  it('says why a compressed image it cannot decode has no preview, on the thumbnail and in the viewer', async () => {
    const { page, problems, close } = await suite.openPage('s4-compressed');
    // The fixture's JPEG fragments are not a JPEG codestream (real ones are decoded: render-frame.test.ts).
    const view = await openStudy(page, 'JPEG, JOE');
    await view.getByRole('list', { name: 'Series' }).getByText('No preview').waitFor();
    await view.getByRole('button', { name: 'View image of instance 1' }).click();
    await page
      .getByRole('region', { name: 'Instance' })
      .getByText(/^No preview: frame 1 of 1 cannot be decoded \(.+\)\.$/)
      .waitFor();
    expect(problems).toEqual([]);
    await close();
  });

  it('fits every new view in 1024x640 and works them by keyboard alone, deleting a study only after confirmation', async () => {
    const { page, problems, close } = await suite.openPage('s5-keyboard', { width: 1024, height: 640 });
    // Studies by its shortcut (8th view), then search by typing, open a study with Enter.
    await page.keyboard.press('Control+8');
    const view = page.getByRole('region', { name: 'Studies', exact: true });
    await page.getByRole('heading', { level: 1, name: 'Studies' }).waitFor();
    await page.keyboard.press('Tab');
    await expect
      .poll(() =>
        page.evaluate(() =>
          (
            globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } } }
          ).document.activeElement.getAttribute('type'),
        ),
      )
      .toBe('search');
    await page.keyboard.type('jpeg');
    await page.keyboard.press('Enter');
    const table = view.getByRole('table', { name: 'Studies found' });
    await eventually('only the JPEG study', async () => (await dataRows(table).count()) === 1);
    const open = table.getByRole('button', { name: 'JPEG, JOE' });
    await open.focus();
    await page.keyboard.press('Enter');
    const detail = view.getByRole('region', { name: /JPEG, JOE/ });
    const deleteButton = detail.getByRole('button', { name: 'Delete study…' });
    await deleteButton.focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('alertdialog', { name: 'Delete this study?' });
    await confirm.waitFor();
    // Focus starts on Cancel, and Esc cancels: nothing is deleted by a stray key.
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    await deleteButton.focus();
    await page.keyboard.press('Enter');
    await confirm.waitFor();
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect((await listFilesRecursive(join(suite.ui.gateway.storage, 'studies', `${UID_ROOT}.2`))).length).toBe(2);
    await expectFits(page, view);
    await saveScreenshot(page, 's5-confirm-1024');

    await deleteButton.focus();
    await page.keyboard.press('Enter');
    await confirm.getByText(/2 instances .* are removed from the store/).waitFor();
    await confirm.getByRole('button', { name: 'Delete study' }).focus();
    await page.keyboard.press('Enter');
    await view.getByRole('status').filter({ hasText: 'Deleted the study of JPEG, JOE: 2 instances' }).waitFor();
    expect(await listFilesRecursive(join(suite.ui.gateway.storage, 'studies', `${UID_ROOT}.2`))).toEqual([]);
    await eventually('the JPEG study gone from the list', async () => (await dataRows(table).count()) === 0);

    // Every study listed, one open beside the list: the patients' names keep room, nothing scrolls sideways.
    const all = await search(view, {});
    await all.getByRole('button', { name: 'ROE, RICHARD' }).click();
    await view.getByRole('region', { name: /ROE, RICHARD/ }).waitFor();
    await expectFits(page, view);
    await saveScreenshot(page, 's5-open-1024');

    // The other new views at this size.
    await page.keyboard.press('Control+9');
    await expectFits(page, page.getByRole('region', { name: 'Instance', exact: true }));
    await showView(page, 'Housekeeping');
    await expectFits(page, page.getByRole('region', { name: 'Housekeeping', exact: true }));
    expect(problems).toEqual([]);
    await close();
  });

  it('applies retention: deletes old studies forwarded everywhere, keeps the one a destination has not got, and audits all of it', async () => {
    // The CT must have reached the archive, and the MR's forward must have died, before the rule can judge them.
    await eventually('the CT at the archive', async () => (await listFilesRecursive(archive.outputDir)).length === 1, 20_000);
    const { page, problems, close } = await suite.openPage('s6-retention');
    const view = await showView(page, 'Housekeeping');
    const audit = view.getByRole('table', { name: 'Audit trail' });
    const filters = view.getByRole('form', { name: 'Search the audit trail' });
    await filters.getByLabel('What').selectOption('forwarded');
    await eventually('the CT’s forward recorded as done', async () => {
      await filters.getByRole('button', { name: 'Search' }).click();
      return (await dataRows(audit).count()) === 1;
    });
    const form = view.getByRole('form', { name: 'Retention' });
    await expect.poll(() => form.getByText('Not set: studies are kept until deleted by hand.').count()).toBe(1);
    await form.getByRole('checkbox', { name: 'Delete old studies automatically' }).check();
    await form.getByRole('textbox', { name: 'Keep studies for (days)' }).fill('0');
    await form.getByRole('button', { name: 'Save retention' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: /deleted 2 studies\b[\s\S]*kept 1 old study not yet forwarded everywhere/ })
      .waitFor({ timeout: 15_000 });
    expect((await listFilesRecursive(join(suite.ui.gateway.storage, 'studies'))).length).toBe(3);

    await filters.getByLabel('What').selectOption('deleted');
    await filters.getByRole('button', { name: 'Search' }).click();
    await eventually('three deletions in the audit trail', async () => (await dataRows(audit).count()) === 3);
    const whoDeleted = [];
    for (const row of await dataRows(audit).all()) whoDeleted.push((await rowCells(audit, row)).Who);
    expect(whoDeleted.sort()).toEqual(['retention', 'retention', 'user']);

    await filters.getByLabel('What').selectOption('');
    await filters.getByLabel('Patient, AE, destination or UID').fill('compressedsamples');
    await filters.getByRole('button', { name: 'Search' }).click();
    await eventually('received, forwarded and deleted for the CT', async () => (await dataRows(audit).count()) === 3);
    const what = [];
    for (const row of await dataRows(audit).all()) what.push(await rowCells(audit, row));
    expect(what.map((r) => r.What).sort()).toEqual(['deleted', 'forwarded', 'received']);
    expect(what.find((r) => r.What === 'forwarded')).toMatchObject({ To: 'archive' });
    expect(what.find((r) => r.What === 'received')).toMatchObject({ Who: 'CT_SCANNER', To: GATEWAY_AE });

    const [download] = await Promise.all([page.waitForEvent('download'), filters.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('at,action,actor,target,patientName,patientId,studyInstanceUid,sopInstanceUid,instances,bytes,detail');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[1])
        .sort(),
    ).toEqual(['deleted', 'forwarded', 'received']);

    await filters.getByLabel('Patient, AE, destination or UID').fill('');
    await filters.getByRole('button', { name: 'Search' }).click();
    await saveScreenshot(page, 's6-housekeeping', 'housekeeping');
    expect(await tableLayoutProblems(page), 'Audit trail').toEqual([]);

    const studies = await showView(page, 'Studies');
    const table = studies.getByRole('table', { name: 'Studies found' });
    await expect.poll(() => patientsShown(table), { timeout: 10_000 }).toEqual(['ROE, RICHARD']);
    expect(problems).toEqual([]);
    await close();
  });
});

/** Nothing is cut off sideways at 1024x640: the view's content is no wider than the view, and no box in it scrolls sideways. */
async function expectFits(page: Page, region: Locator): Promise<void> {
  await region.waitFor();
  const overflows = await sidewaysScrolling(region);
  expect(overflows, 'boxes that scroll sideways').toEqual([]);
  expect(page.viewportSize()).toEqual({ width: 1024, height: 640 });
}
