/**
 * End to end: the real renderer in real Chromium, served by `dicom-gateway serve --ui-port 0`,
 * with real DCMTK peers on both sides. What a person does (open a view, drop a folder, pick a
 * destination, press a button) is done through roles and accessible names; what the gateway
 * does is judged by the bytes DCMTK wrote.
 *
 * One gateway and one browser for the whole file (a fresh browser context per test); the tests
 * run in order and use their own studies, destinations and DCMTK peers. Each saves a screenshot
 * under test-artifacts/e2e/, and the view it leaves in its most telling state also goes to
 * docs/screenshots/<view>.png for the README.
 */
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { echoscu, run, startStoreScp, storescu, type StoreScp } from '../helpers/dcmtk.ts';
import { runCli } from '../helpers/gateway-process.ts';
import { datasetRegion, SopClass, writeP10Files, type FixtureOptions } from '../helpers/dicom-fixtures.ts';
import { expectSameBytes, filesBySopInstance, listFilesRecursive, sopInstanceOf, splitP10 } from '../helpers/p10-regions.ts';
import {
  ARTIFACT_DIR,
  README_SCREENSHOT_DIR,
  VIEWPORT,
  clippedControls,
  tableLayoutProblems,
  eventually,
  dataRows,
  rowCells,
  saveScreenshot,
  showView,
  sidewaysScrolling,
  useUiSuite,
  type UiPage,
} from './harness.ts';

const GATEWAY_AE = 'GATEWAY';
// Under the fixtures' test root, clearly not a real organisation's.
const UID_ROOT = '1.2.3.4.5.6.7.8.9.1427';

const peers: StoreScp[] = [];
const suiteStarted = Date.now();

const suite = useUiSuite('e2e-ui-', async (work) => {
  await rm(ARTIFACT_DIR, { recursive: true, force: true });
  return { storage: join(work, 'storage'), aeTitle: GATEWAY_AE };
});

afterAll(async () => {
  await Promise.all(
    peers.map(async (peer) => {
      await peer.stop();
      await rm(peer.outputDir, { recursive: true, force: true });
    }),
  );
});

/** A fresh context with the UI open; on failure, a screenshot of what the page showed. */
function openPage(artifactName: string): Promise<UiPage> {
  return suite.openPage(artifactName);
}

async function storeScp(aeTitle: string): Promise<StoreScp> {
  const peer = await startStoreScp({ aeTitle });
  peers.push(peer);
  return peer;
}

/** A port nothing listens on any more: a storescp that was started and stopped (a switched-off PACS). */
async function stoppedPeerPort(): Promise<number> {
  const peer = await startStoreScp({ aeTitle: 'GONE' });
  await peer.stop();
  await rm(peer.outputDir, { recursive: true, force: true });
  return peer.port;
}

/** Adds a destination the way a person does: Destinations, "Add destination", the form, save. */
async function addDestination(
  page: Page,
  d: { name: string; aeTitle: string; port: number; host?: string; callingAe?: string },
): Promise<void> {
  const view = await showView(page, 'Destinations');
  await view.getByRole('button', { name: 'Add destination' }).click();
  const form = view.getByRole('form', { name: 'New destination' });
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill(d.name);
  await form.getByRole('textbox', { name: 'AE title', exact: true }).fill(d.aeTitle);
  await form.getByRole('textbox', { name: 'Host', exact: true }).fill(d.host ?? '127.0.0.1');
  await form.getByRole('textbox', { name: 'Port', exact: true }).fill(String(d.port));
  if (d.callingAe) await form.getByRole('textbox', { name: 'Calling AE title', exact: true }).fill(d.callingAe);
  await form.getByRole('button', { name: 'Save destination' }).click();
  await form.waitFor({ state: 'detached', timeout: 5_000 });
  await view
    .getByRole('table', { name: 'Destinations', exact: true })
    .getByRole('rowheader', { name: d.name, exact: true })
    .waitFor({ timeout: 5_000 });
}

/**
 * A working PACS (a storescp of that AE title) and a switched-off one (a stopped peer's port), both
 * added through the form: what a test of a failing destination beside a healthy one starts from.
 */
async function addLiveAndStoppedDestinations(
  page: Page,
  live: { name: string; aeTitle: string },
  stopped: { name: string; aeTitle: string },
): Promise<{ peer: StoreScp; stoppedPort: number }> {
  const peer = await storeScp(live.aeTitle);
  const stoppedPort = await stoppedPeerPort();
  await addDestination(page, { name: live.name, aeTitle: peer.aeTitle, port: peer.port });
  await addDestination(page, { name: stopped.name, aeTitle: stopped.aeTitle, port: stoppedPort });
  return { peer, stoppedPort };
}

async function progressValue(bar: Locator): Promise<number> {
  // The tests are typed without the DOM library: read the property structurally.
  return bar.evaluate((element) => (element as unknown as { value: number }).value);
}

/** Drops one file on `target` as the browser does: dragenter, dragover, drop, with a DataTransfer holding the file. */
async function dropFile(target: Locator, path: string): Promise<void> {
  const bytes = await readFile(path);
  const dataTransfer = await target.page().evaluateHandle(
    ({ name, base64 }) => {
      const binary = atob(base64);
      const data = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) data[i] = binary.charCodeAt(i);
      // Typed structurally: the tests compile without the DOM library.
      const { DataTransfer } = globalThis as unknown as { DataTransfer: new () => { items: { add(file: File): void } } };
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name, { type: 'application/dicom' }));
      return transfer;
    },
    { name: basename(path), base64: bytes.toString('base64') },
  );
  for (const type of ['dragenter', 'dragover', 'drop']) await target.dispatchEvent(type, { dataTransfer });
}

/** A study as a modality would send it: `series` lists how many instances each series has. */
function studyFiles(
  dir: string,
  study: { key: number; patientName: string; description: string; modality: string; sopClassUid: string; series: number[] },
  extra: Partial<FixtureOptions> = {},
): Promise<string[]> {
  const seriesOf: number[] = study.series.flatMap((count, s) => Array<number>(count).fill(s));
  return writeP10Files(dir, seriesOf.length, (i) => ({
    seed: study.key * 100 + i,
    studyInstanceUid: `${UID_ROOT}.${study.key}`,
    seriesInstanceUid: `${UID_ROOT}.${study.key}.${seriesOf[i]! + 1}`,
    sopInstanceUid: `${UID_ROOT}.${study.key}.${seriesOf[i]! + 1}.${i + 1}`,
    seriesNumber: seriesOf[i]! + 1,
    instanceNumber: i + 1,
    patientName: study.patientName,
    patientId: `E2E${study.key}`,
    studyDate: '20260315',
    studyDescription: study.description,
    modality: study.modality,
    sopClassUid: study.sopClassUid,
    pixelDataBytes: 64 * 1024,
    ...extra,
  }));
}

/** storescp +B wrote exactly these files' instances, each dataset byte for byte the source's. */
async function expectDatasetsArrived(peer: StoreScp, files: string[]): Promise<void> {
  const sources = new Map<string, string>();
  for (const file of files) sources.set(sopOf(await readFile(file)), file);
  const received = await filesBySopInstance(peer.outputDir);
  expect([...received.keys()].sort()).toEqual([...sources.keys()].sort());
  for (const [sop, sourcePath] of sources) {
    expectSameBytes(
      splitP10(received.get(sop)!, sop).dataset,
      datasetRegion(await readFile(sourcePath)),
      `dataset of ${sop} at ${peer.aeTitle}`,
    );
  }
}

describe('the UI, end to end, in Chromium against serve --ui-port', () => {
  it('shows a study sent with storescu in Live within a second, with its series and instance counts, and logs each instance', async () => {
    const { page, problems, close } = await openPage('1-live');
    const live = await showView(page, 'Live');
    const studies = live.getByRole('region', { name: 'Studies' }).getByRole('table');
    const log = live.getByRole('table', { name: 'Receive log', exact: true });
    await live.getByText('Nothing received since this window opened').waitFor();

    const ct = await studyFiles(join(suite.work, 'live-ct'), {
      key: 1,
      patientName: 'DOE^JANE',
      description: 'CT chest with contrast',
      modality: 'CT',
      sopClassUid: SopClass.CT,
      series: [3, 2],
    });
    const sent = await storescu(suite.ui.gateway.port, ct, { calledAe: GATEWAY_AE, callingAe: 'CT-ROOM-2' });
    expect(sent.code, sent.stderr).toBe(0);
    const finishedAt = Date.now();

    const row = studies.getByRole('row').filter({ hasText: 'CT chest with contrast' });
    const cells = await eventually(
      'the study with 2 series and 5 instances in Live',
      async () => {
        const c = await rowCells(studies, row);
        return c.Series === '2' && c.Instances === '5' ? c : undefined;
      },
      5_000,
    );
    const shownAfterMs = Date.now() - finishedAt;
    expect(shownAfterMs, `Live showed the study ${shownAfterMs} ms after storescu finished`).toBeLessThanOrEqual(1_000);
    expect(cells).toMatchObject({ Patient: expect.stringContaining('DOE, JANE'), Modalities: 'CT' });

    // The receive log: one row per instance, with the calling AE, the class, the syntax and the outcome.
    await eventually('5 rows in the receive log', async () => (await dataRows(log).count()) === 5);
    for (const logRow of await dataRows(log).all()) {
      expect(await rowCells(log, logRow)).toMatchObject({
        'Calling AE': 'CT-ROOM-2',
        'SOP class': 'CT Image Storage',
        'Transfer syntax': expect.stringMatching(/Explicit VR Little Endian/i),
        Status: 'Stored',
      });
    }

    // A second modality, so the filter has something to tell apart (and the README picture shows more than one study).
    const mr = await studyFiles(join(suite.work, 'live-mr'), {
      key: 2,
      patientName: 'ROE^RICHARD',
      description: 'MR knee left',
      modality: 'MR',
      sopClassUid: SopClass.MR,
      series: [3],
    });
    const sentMr = await storescu(suite.ui.gateway.port, mr, { calledAe: GATEWAY_AE, callingAe: 'MR-SUITE' });
    expect(sentMr.code, sentMr.stderr).toBe(0);
    await eventually('8 rows in the receive log', async () => (await dataRows(log).count()) === 8);
    await eventually('two studies in Live', async () => (await dataRows(studies).count()) === 2);

    const filter = live.getByRole('searchbox', { name: 'Filter the receive log' });
    await filter.fill('MR-SUITE');
    await eventually('only the MR rows', async () => (await dataRows(log).count()) === 3);
    for (const logRow of await dataRows(log).all()) expect((await rowCells(log, logRow))['Calling AE']).toBe('MR-SUITE');
    await filter.fill('');
    await eventually('all rows again', async () => (await dataRows(log).count()) === 8);
    await filter.blur();

    await saveScreenshot(page, '1-live', 'live');

    // A received instance, all of it: its row opens it in the Instance view, by keyboard.
    const lastRow = dataRows(log).last();
    await openByKeyboard(lastRow.getByRole('button', { name: /^Open instance \S+ in the Instance view$/ }));
    await expectInstanceView(page, 'MR Image Storage · series 1 · instance 3');
    expect(problems).toEqual([]);
    await close();
  });

  it('sends a folder chosen on Send (uploaded through /upload) to DCMTK storescp +B byte for byte, bars at 100 %', async () => {
    const { page, problems, close } = await openPage('2-send');
    const pacs = await storeScp('PACS-SEND');
    await addDestination(page, { name: 'Reading room', aeTitle: pacs.aeTitle, port: pacs.port });

    // A folder as it comes off a CD, named as people name them: deep sub-folders, mixed transfer
    // syntaxes, awkward encodings, and a file that is not DICOM.
    const cd = join(suite.work, 'Patient CD SMITH ANNA 2024-03-01 Radiology Department Export');
    const folder = join(cd, 'DICOM', 'PAT00001', 'STU00001');
    const study = { key: 3, patientName: 'SMITH^ANNA', description: 'CR hand', modality: 'CR', sopClassUid: SopClass.CR, series: [2] };
    const explicit = await studyFiles(join(folder, 'SERIES1'), study, { edgeCases: true });
    const implicit = await studyFiles(
      join(folder, 'SERIES2'),
      { ...study, key: 4, description: 'CR hand implicit' },
      { transferSyntaxUid: '1.2.840.10008.1.2' },
    );
    const jpeg = await studyFiles(
      join(folder, 'SERIES3'),
      { ...study, key: 5, description: 'CR hand jpeg' },
      { transferSyntaxUid: '1.2.840.10008.1.2.4.50' },
    );
    await writeFile(join(folder, 'README.TXT'), 'Patient CD. Open with any DICOM viewer.\n');
    const dicomFiles = [...explicit, ...implicit, ...jpeg];

    const uploads: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/upload')
        uploads.push(new URL(request.url()).searchParams.get('name') ?? '');
    });

    const send = await showView(page, 'Send');
    const chooser = page.waitForEvent('filechooser');
    await send.getByRole('button', { name: 'Choose a folder…' }).click();
    await (await chooser).setFiles(cd);

    const files = send.getByRole('table', { name: 'Files to send', exact: true });
    await eventually('the six DICOM files listed', async () => (await dataRows(files).count()) === 6);
    await send.getByRole('heading', { name: 'Skipped (1)' }).waitFor();
    await send.getByRole('list', { name: 'Skipped files' }).getByText('README.TXT', { exact: true }).waitFor();
    // Each file is uploaded under its path in the chosen folder, and listed so: equal names in different series stay apart.
    const relativeNames = [...dicomFiles, join(folder, 'README.TXT')].map((f) => relative(suite.work, f));
    expect(uploads.sort()).toEqual([...relativeNames].sort());
    // Each row names its file and, after it, its folder; the whole path is the cell's tooltip.
    const listed = await Promise.all((await dataRows(files).all()).map(async (r) => (await rowCells(files, r)).File));
    expect(listed.map((text) => (text ?? '').split(/\s+/)[0]).sort()).toEqual(dicomFiles.map((f) => basename(f)).sort());
    const tooltips = await files.locator('.file-path').evaluateAll((paths) => paths.map((p) => p.getAttribute('title') ?? ''));
    expect(tooltips.sort()).toEqual(dicomFiles.map((f) => relative(suite.work, f)).sort());

    await send.getByRole('radio', { name: /^Reading room/ }).check();
    await send.getByRole('button', { name: 'Send 6 files' }).click();
    await send.getByText('Finished: 6 files sent.').waitFor({ timeout: 20_000 });

    expect(await progressValue(send.getByRole('progressbar', { name: 'Overall progress' }))).toBe(100);
    const bars = await files.getByRole('progressbar', { name: /^Progress of / }).all();
    expect(bars).toHaveLength(6);
    for (const bar of bars) expect(await progressValue(bar)).toBe(100);
    for (const fileRow of await dataRows(files).all()) expect((await rowCells(files, fileRow)).Result).toMatch(/^Sent\s+0x0000$/);

    await expectDatasetsArrived(pacs, dicomFiles);

    // At 1024 px the deep paths give way (full path in the tooltip); results and bars stay in view.
    await page.setViewportSize({ width: 1024, height: 640 });
    expect(await sidewaysScrolling(send), 'Send at 1024x640').toEqual([]);
    expect(await tableLayoutProblems(page), 'Send at 1024x640').toEqual([]);
    expect(await clippedControls(page), 'Send at 1024x640').toEqual([]);
    // Every name whole, in the file list and in the skipped list.
    const cutNames = await send
      .locator('.file-path .name')
      .evaluateAll((names) => names.filter((n) => n.scrollWidth > n.clientWidth).map((n) => n.textContent));
    expect(cutNames, 'file names cut at 1024x640').toEqual([]);
    await saveScreenshot(page, '2-send-1024');
    await page.setViewportSize(VIEWPORT);

    await saveScreenshot(page, '2-send', 'send');
    expect(problems).toEqual([]);
    await close();
  });

  it('shows a forwarded copy as identical in the Inspector, and names (0010,0010) in a copy changed with dcmodify', async () => {
    const { page, problems, close } = await openPage('3-inspector');
    const pacs = await storeScp('PACS-COPY');
    await addDestination(page, { name: 'Archive copy', aeTitle: pacs.aeTitle, port: pacs.port });

    const [file] = await studyFiles(
      join(suite.work, 'inspect'),
      {
        key: 6,
        patientName: 'BLOGGS^FRED',
        description: 'US abdomen',
        modality: 'US',
        sopClassUid: SopClass.US,
        series: [1],
      },
      { edgeCases: true },
    );
    const sopInstanceUid = sopOf(await readFile(file!));
    const sent = await storescu(suite.ui.gateway.port, [file!], { calledAe: GATEWAY_AE, callingAe: 'US-CART' });
    expect(sent.code, sent.stderr).toBe(0);

    // Forward it from Live, as a person would: tick the study, "Send selected studies…".
    const live = await showView(page, 'Live');
    const studies = live.getByRole('region', { name: 'Studies' });
    await studies.getByRole('checkbox', { name: /^Select study of BLOGGS, FRED/ }).check();
    await live.getByRole('button', { name: 'Send selected studies…' }).click();
    const forward = live.getByRole('form', { name: 'Send selected studies' });
    await forward.getByRole('combobox', { name: 'Destination' }).selectOption({ label: `Archive copy — PACS-COPY@127.0.0.1:${pacs.port}` });
    await forward.getByRole('button', { name: 'Send', exact: true }).click();
    await forward.getByRole('status').getByText('Queued 1 instance from 1 study for Archive copy.').waitFor();
    // storescp reports nothing we can wait on: poll its folder (with a deadline) for the file it writes.
    const [copyPath] = await eventually(
      "the forwarded copy in storescp's folder",
      async () => {
        const written = await listFilesRecursive(pacs.outputDir);
        return written.length === 1 ? written : undefined;
      },
      20_000,
    );

    // A: the stored instance, found by its UID. B: the copy storescp wrote, chosen from disk (uploaded).
    const inspector = await showView(page, 'Inspector');
    const finder = inspector.getByRole('region', { name: 'Stored instances' });
    const search = finder.getByRole('search', { name: 'Find stored instances' });
    await search.getByRole('combobox', { name: 'Search by' }).selectOption({ label: 'SOP Instance UID (all versions)' });
    await search.getByRole('searchbox', { name: 'UID to find' }).fill(sopInstanceUid);
    await search.getByRole('button', { name: 'Find' }).click();
    await finder.getByRole('button', { name: `Use ${sopInstanceUid} version 1 as A` }).click();
    const chooser = page.waitForEvent('filechooser');
    await inspector.getByRole('group', { name: 'File B' }).getByRole('button', { name: 'Choose file…' }).click();
    await (await chooser).setFiles(copyPath!);
    await inspector.getByRole('group', { name: 'File B' }).getByText(basename(copyPath!), { exact: true }).waitFor();
    await inspector.getByRole('button', { name: 'Compare A with B' }).click();

    const verdict = inspector.getByRole('heading', { level: 2, name: 'Same dataset, different file meta' });
    await verdict.waitFor({ timeout: 10_000 });
    await inspector.getByText('The datasets are identical byte for byte').waitFor();
    const chain = inspector.getByRole('region', { name: 'Digest chain of A' });
    await chain.getByRole('listitem').filter({ hasText: 'Sent to Archive copy' }).getByText('✓ identical').waitFor({ timeout: 10_000 });
    await chain.getByRole('listitem').filter({ hasText: 'Stored on disk' }).getByText('✓ identical').waitFor();
    await saveScreenshot(page, '3-inspector-identical');
    // The compared stored instance opens whole in the Instance view, and the comparison is still there after.
    await openByKeyboard(inspector.getByRole('button', { name: 'Open A in the Instance view' }));
    await expectInstanceView(page, 'Ultrasound Image Storage · series 1 · instance 1');
    await showView(page, 'Inspector');
    await verdict.waitFor();

    // The same copy with one value changed by DCMTK, dropped on B.
    const modified = join(suite.work, 'modified', 'CHANGED.dcm');
    await mkdir(join(suite.work, 'modified'));
    await copyFile(copyPath!, modified);
    // Four bytes longer than BLOGGS^FRED plus its padding: everything after it moves. Also values as
    // long as their VRs allow, at the top level and inside a sequence, to try the list's width.
    const dcmodify = await run('dcmodify', [
      '-nb',
      '-m',
      '(0010,0010)=BLOGGS^FREDERICK',
      '-m',
      '(0008,1030)=ABDOMEN ULTRASOUND WITH DOPPLER OF PORTAL VENOUS SYSTEM AND LIVER',
      '-m',
      '(0008,1140)[0].(0008,1155)=1.2.826.0.1.3680043.9.7777.123456789.987654321.123456789.12345',
      modified,
    ]);
    expect(dcmodify.code, dcmodify.stderr).toBe(0);
    const slotB = inspector.getByRole('group', { name: 'File B' });
    await dropFile(slotB, modified);
    await slotB.getByText('CHANGED.dcm', { exact: true }).waitFor();
    await inspector.getByRole('button', { name: 'Compare A with B' }).click();

    await inspector.getByRole('heading', { level: 2, name: 'Datasets differ' }).waitFor({ timeout: 10_000 });
    const differences = inspector.getByRole('region', { name: /differences?$/ });
    const changed = differences.getByRole('button', { name: /\(0010,0010\)/ });
    await changed.waitFor();
    expect(await changed.innerText()).toMatch(/PatientName/);
    await changed.click();
    await saveScreenshot(page, '3-inspector-changed', 'inspector');

    // At 1024x640, difference after difference: both panes fit, and show the difference in the same row and column.
    await page.setViewportSize({ width: 1024, height: 640 });
    expect(await sidewaysScrolling(inspector), 'Inspector at 1024x640').toEqual([]);
    expect(await tableLayoutProblems(page), 'Inspector at 1024x640').toEqual([]);
    const hex = inspector.getByRole('region', { name: /Hex view of A and B/ });
    const next = differences.getByRole('button', { name: 'Next difference' });
    await differences.getByRole('button', { name: 'First difference' }).click();
    for (let step = 0; ; step++) {
      const position = await differences.getByText(/^\d+ of \d+$/).innerText();
      await eventually(`difference ${position} marked on both sides in the same place`, async () => {
        const placed = await markedPlaces(hex);
        return placed.a !== undefined && placed.b !== undefined && placed.a.top === placed.b.top && placed.a.column === placed.b.column;
      }).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(await markedPlaces(hex))}`);
      });
      expect(await hex.evaluate((grid) => grid.scrollWidth - grid.clientWidth), `the hex panes at ${position}`).toBeLessThanOrEqual(0);
      if (await next.isDisabled()) break;
      expect(step).toBeLessThan(20);
      await next.click();
    }
    expect(await clippedControls(page), 'Inspector at 1024x640').toEqual([]);
    await hex.scrollIntoViewIfNeeded();
    await saveScreenshot(page, '3-inspector-1024');
    expect(problems).toEqual([]);
    await close();
  });

  it('says plainly that a stopped destination refused the C-ECHO, with the technical detail behind Details', async () => {
    const { page, problems, close } = await openPage('4-destinations');
    const { stoppedPort } = await addLiveAndStoppedDestinations(
      page,
      { name: 'Main PACS', aeTitle: 'MAIN-PACS' },
      { name: 'Old PACS', aeTitle: 'OLDPACS' },
    );

    const view = await showView(page, 'Destinations');
    const table = view.getByRole('table', { name: 'Destinations', exact: true });
    await view.getByRole('button', { name: 'Echo Main PACS' }).click();
    await table
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: 'Main PACS', exact: true }) })
      .getByText(/Answered in/)
      .waitFor({ timeout: 10_000 });

    await view.getByRole('button', { name: 'Echo Old PACS' }).click();
    const oldRow = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Old PACS', exact: true }) });
    await oldRow.getByText('No answer').waitFor({ timeout: 10_000 });
    const alert = table.getByRole('alert');
    await alert.getByText('The destination refused the connection. Check that it is switched on and that the port is right.').waitFor();
    // The technical detail is there, but folded away until asked for.
    const detail = alert.getByText(`Peer: OLDPACS@127.0.0.1:${stoppedPort}`);
    expect(await detail.isVisible()).toBe(false);
    await alert.getByText('Details', { exact: true }).click();
    await detail.waitFor();
    expect(await detail.innerText()).toMatch(/ECONNREFUSED/);
    // The queue column reads the engine's own counts: nothing was routed to either yet.
    await oldRow.getByText('Nothing waiting').waitFor();

    await saveScreenshot(page, '4-destinations', 'destinations');
    expect(problems).toEqual([]);
    await close();
  });

  it('forwards what a rule made in Rules matches, and shows the jobs in Queue: sent, and waiting to retry for a stopped destination', async () => {
    const { page, problems, close } = await openPage('5-rules-queue');
    const { peer: archive } = await addLiveAndStoppedDestinations(
      page,
      { name: 'Long-term archive', aeTitle: 'ARCHIVE' },
      { name: 'Offsite backup', aeTitle: 'OFFSITE' },
    );

    const rules = await showView(page, 'Rules');
    await rules.getByRole('button', { name: 'Add rule' }).click();
    const editor = rules.getByRole('form', { name: 'New rule' });
    await editor.getByRole('textbox', { name: 'Name', exact: true }).fill('CT scanner to the archives');
    await editor.getByRole('combobox', { name: 'Calling AE title', exact: true }).selectOption({ label: 'is exactly' });
    await editor.getByRole('textbox', { name: 'Calling AE title: value' }).fill('CT-SCANNER');
    await editor.getByRole('checkbox', { name: 'Long-term archive' }).check();
    await editor.getByRole('checkbox', { name: 'Offsite backup' }).check();
    await editor.getByRole('button', { name: 'Done' }).click();
    await rules.getByRole('button', { name: 'Save rules' }).click();
    await rules.getByText('The engine uses these rules.').waitFor({ timeout: 5_000 });
    await saveScreenshot(page, '5-rules', 'rules');

    const matching = await studyFiles(join(suite.work, 'rule-ct'), {
      key: 7,
      patientName: 'NGUYEN^LAN',
      description: 'CT head',
      modality: 'CT',
      sopClassUid: SopClass.CT,
      series: [3],
    });
    const other = await studyFiles(join(suite.work, 'rule-other'), {
      key: 8,
      patientName: 'OTHER^PAT',
      description: 'CT not routed',
      modality: 'CT',
      sopClassUid: SopClass.CT,
      series: [1],
    });
    const fromScanner = await storescu(suite.ui.gateway.port, matching, { calledAe: GATEWAY_AE, callingAe: 'CT-SCANNER' });
    expect(fromScanner.code, fromScanner.stderr).toBe(0);
    const fromElsewhere = await storescu(suite.ui.gateway.port, other, { calledAe: GATEWAY_AE, callingAe: 'CT-OTHER' });
    expect(fromElsewhere.code, fromElsewhere.stderr).toBe(0);

    const queue = await showView(page, 'Queue');
    const jobs = queue.getByRole('table', { name: 'Jobs', exact: true });
    const jobStates = async () => {
      const out: string[] = [];
      for (const row of await dataRows(jobs).all()) {
        const c = await rowCells(jobs, row);
        // Jobs of earlier tests' destinations are in the same queue.
        // The state's first line; a waiting job's next attempt is under it.
        const state = c.State!.split('\n')[0];
        if (c.Destination === 'Long-term archive' || c.Destination === 'Offsite backup') out.push(`${c.Destination}: ${state}`);
      }
      return out.sort();
    };
    await eventually(
      'three sent to the archive, three waiting to retry for the backup',
      async () => {
        const states = await jobStates();
        return (
          states.join('|') ===
          [...Array(3).fill('Long-term archive: Sent'), ...Array(3).fill('Offsite backup: Waiting to retry')].sort().join('|')
        );
      },
      20_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; the Queue shows ${JSON.stringify(await jobStates())}`);
    });
    const waiting = dataRows(jobs).filter({ hasText: 'Offsite backup' }).first();
    const waitingCells = await rowCells(jobs, waiting);
    expect(waitingCells['Last result']).toBe('Connection refused');
    expect(waitingCells.State).toMatch(/^Waiting to retry\nNext \d\d:\d\d:\d\d$/);

    await expectDatasetsArrived(archive, matching);

    await saveScreenshot(page, '5-queue', 'queue');

    // A job's instance opens in the Instance view, by keyboard.
    const sentRow = dataRows(jobs).filter({ hasText: 'Long-term archive' }).first();
    await openByKeyboard(sentRow.getByRole('button', { name: /^Open the instance of job \d+$/ }));
    await expectInstanceView(page, /^NGUYEN, LAN \(E2E7\) · CT Image Storage, series 1, image \d$/);
    expect(problems).toEqual([]);
    await close();
  });

  it('shows exactly 300 instances in Live for a 300-instance burst, as many as the index stored', async () => {
    const { page, problems, close } = await openPage('7-burst');
    const live = await showView(page, 'Live');
    const studies = live.getByRole('region', { name: 'Studies' }).getByRole('table');
    const burst = await studyFiles(
      join(suite.work, 'burst'),
      {
        key: 30,
        patientName: 'BURST^THREE^HUNDRED',
        description: 'CT burst of 300',
        modality: 'CT',
        sopClassUid: SopClass.CT,
        series: [100, 100, 100],
      },
      { pixelDataBytes: 2048 },
    );
    const sent = await storescu(suite.ui.gateway.port, burst, { calledAe: GATEWAY_AE, callingAe: 'CT-BURST' });
    expect(sent.code, sent.stderr).toBe(0);
    const row = studies.getByRole('row').filter({ hasText: 'CT burst of 300' });
    const cells = await eventually(
      'the burst study at 300 instances',
      async () => {
        const c = await rowCells(studies, row);
        return c.Instances === '300' ? c : undefined;
      },
      15_000,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; Live shows ${JSON.stringify(await rowCells(studies, row).catch(() => ({})))}`);
    });
    expect(cells).toMatchObject({ Series: '3', Instances: '300' });
    // The receive log saw every instance; the study count did not run past the index on the way.
    const log = live.getByRole('table', { name: 'Receive log', exact: true });
    await live.getByRole('searchbox', { name: 'Filter the receive log' }).fill('CT-BURST');
    await eventually('300 CT-BURST instances in the log', async () => (await log.getAttribute('aria-rowcount')) === '301');
    expect((await rowCells(studies, row)).Instances).toBe('300');
    await saveScreenshot(page, '7-burst');
    expect(problems).toEqual([]);
    await close();
  });

  it('names the patient and the reason of a dead-lettered job in Queue, by job and by study', async () => {
    const { page, problems, close } = await openPage('8-dead-letter');
    // A destination that does not take the SOP class: it refuses for good, so the job is dead at once.
    const strict = await startStoreScp({ aeTitle: 'STRICT' });
    peers.push(strict);
    await addDestination(page, { name: 'Strict PACS', aeTitle: strict.aeTitle, port: strict.port });
    const files = await studyFiles(join(suite.work, 'dead'), {
      key: 40,
      patientName: 'DEAD^LETTER',
      description: 'Private capture',
      modality: 'OT',
      sopClassUid: '1.2.826.0.1.3680043.9.7777.42',
      series: [1],
    });
    // storescu proposes only classes it knows: the gateway's own SCU sends any class as it is.
    const sent = await runCli([
      'send',
      '--to',
      `${GATEWAY_AE}@127.0.0.1:${suite.ui.gateway.port}`,
      '--calling-ae',
      'WORKSTATION',
      ...files,
    ]);
    expect(sent.code, sent.stderr).toBe(0);

    const live = await showView(page, 'Live');
    const studies = live.getByRole('region', { name: 'Studies' });
    await studies.getByRole('checkbox', { name: /Select study of DEAD, LETTER/ }).check();
    await studies.getByRole('button', { name: 'Send selected studies…' }).click();
    const form = live.getByRole('form', { name: 'Send selected studies' });
    await form.getByRole('combobox', { name: 'Destination' }).selectOption('Strict PACS');
    await form.getByRole('button', { name: 'Send' }).click();
    await form.getByRole('status').waitFor();

    const queue = await showView(page, 'Queue');
    await queue.getByRole('button', { name: 'Dead letter', exact: true }).click();
    const jobs = queue.getByRole('table', { name: 'Jobs', exact: true });
    const row = dataRows(jobs).filter({ hasText: 'Strict PACS' }).first();
    const cells = await eventually(
      'the dead job for Strict PACS',
      async () => {
        const c = await rowCells(jobs, row);
        return c.State === 'Dead letter' ? c : undefined;
      },
      20_000,
    );
    expect(cells.Patient).toContain('DEAD, LETTER (E2E40)');
    expect(cells['Study · image']).toContain('Private capture');
    expect(cells['Last result']).toMatch(/does not accept SOP class 1\.2\.826\.0\.1\.3680043\.9\.7777\.42/);
    expect(await tableLayoutProblems(page), 'Jobs').toEqual([]);

    await queue.getByRole('button', { name: 'By study', exact: true }).click();
    const byStudy = queue.getByRole('table', { name: 'Jobs by study' });
    const group = dataRows(byStudy).filter({ hasText: 'DEAD, LETTER' });
    expect((await rowCells(byStudy, group)).Forwarded).toMatch(/1 of 1 will not be sent.*does not accept SOP class/);
    expect(await tableLayoutProblems(page), 'Jobs by study').toEqual([]);
    await saveScreenshot(page, '8-dead-letter');

    // "Retry all dead" says first that it cannot succeed, and retries nothing.
    await queue.getByRole('button', { name: 'Retry all dead for Strict PACS' }).click();
    await queue
      .getByRole('alert')
      .getByText(/Retrying cannot succeed for 1 of the dead jobs for Strict PACS/)
      .waitFor();
    await queue.getByRole('button', { name: 'Keep them in the dead letter' }).click();
    expect(problems).toEqual([]);
    await close();
  });

  it('keeps an AE title saved in Settings across a restart with the same storage; the open page reconnects by itself and shows new arrivals; a flag-set port is read-only', async () => {
    const { page, problems, close } = await openPage('6-settings');
    const settings = await showView(page, 'Settings');
    const form = settings.getByRole('form', { name: 'Gateway settings' });
    const port = form.getByRole('textbox', { name: 'Port', exact: true });
    expect(await port.getAttribute('readonly')).not.toBeNull();
    await form.getByText('Set by the --port flag the gateway was started with').waitFor();
    await form.getByRole('textbox', { name: 'AE title', exact: true }).fill('ROUTER1');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await settings.getByRole('status').getByText('The gateway now listens as ROUTER1').waitFor({ timeout: 15_000 });
    await form.getByText('Saved here: used at every start.').waitFor();
    await saveScreenshot(page, '6-settings', 'settings');
    expect(problems).toEqual([]);

    // The same storage, on the UI port the open page talks to (a person's fixed --ui-port).
    const uiPort = Number(new URL(suite.ui.url).port);
    await suite.ui.gateway.stop();
    const banner = page.getByRole('banner');
    await banner.getByText('Connection to the gateway lost — reconnecting…').waitFor();
    await page
      .getByRole('alert')
      .getByText(/not live until it is back/)
      .waitFor();
    const problemsBeforeRestart = problems.length;
    await suite.restart({ aeTitle: 'ROUTER1', uiPort });
    const echo = await echoscu(suite.ui.gateway.port, { calledAe: 'ROUTER1' });
    expect(echo.code, echo.stderr).toBe(0);

    // No reload: the page comes back by itself, with the saved AE title and the new DICOM port.
    await banner.getByText(`Listening as ROUTER1 on 127.0.0.1:${suite.ui.gateway.port}`).waitFor({ timeout: 15_000 });
    await expect(
      page
        .getByRole('alert')
        .filter({ hasText: /not live/ })
        .count(),
    ).resolves.toBe(0);
    const after = await showView(page, 'Settings');
    expect(await after.getByRole('textbox', { name: 'AE title', exact: true }).inputValue()).toBe('ROUTER1');
    await after.getByText('Saved here: used at every start.').first().waitFor();

    // And it works: a study sent to the restarted gateway appears in the same page's Live.
    const files = await studyFiles(join(suite.work, 'after-restart'), {
      key: 50,
      patientName: 'AFTER^RESTART',
      description: 'CR after the restart',
      modality: 'CR',
      sopClassUid: SopClass.CR,
      series: [2],
    });
    const sent = await storescu(suite.ui.gateway.port, files, { calledAe: 'ROUTER1', callingAe: 'CR-ROOM' });
    expect(sent.code, sent.stderr).toBe(0);
    const live = await showView(page, 'Live');
    const studies = live.getByRole('region', { name: 'Studies' }).getByRole('table');
    const row = studies.getByRole('row').filter({ hasText: 'CR after the restart' });
    await eventually('the study sent after the restart in Live', async () => (await rowCells(studies, row)).Instances === '2');
    // While the gateway was down the browser could only fail to connect: nothing else went wrong.
    expect(problems.slice(problemsBeforeRestart).filter((p) => !/ERR_CONNECTION_REFUSED/.test(p))).toEqual([]);
    await saveScreenshot(page, '6-live-after-restart');

    // A new access key (--rotate-ui-token): the open page says its key is refused and what to do, not "reload".
    await suite.restart({ aeTitle: 'ROUTER1', uiPort, args: ['--rotate-ui-token'] });
    await banner.getByText(/no longer accepts this page's access key.*Open the address/).waitFor({ timeout: 15_000 });
    const refused = await page.getByRole('alert').filter({ hasText: 'no longer live' }).innerText();
    expect(refused).toMatch(/no longer accepts this page's access key/);
    expect(refused).not.toMatch(/Reload/);
    await close();
  });

  it('at 1024x640 every view is reached by keyboard alone and cuts off none of its controls, each column title over its column', async () => {
    const small = await suite.openPage('9-1024', { width: 1024, height: 640 });
    const { page } = small;
    // Associations this page sees close, one with a long calling AE title, for Live's "Recently closed".
    for (const callingAe of ['ECHO-1', 'A-LONG-AE-TITLE16', 'ECHO-3']) {
      const echo = await echoscu(suite.ui.gateway.port, { calledAe: suite.ui.aeTitle, callingAe });
      expect(echo.code, echo.stderr).toBe(0);
    }
    await page.getByRole('list', { name: 'Recently closed associations' }).getByText('ECHO-3 →').waitFor();
    // The widest destination there can be (16-character AE titles, an IPv6 address): its buttons stay in the window.
    await addDestination(page, {
      name: 'Night teleradiology',
      aeTitle: 'TELERAD-NIGHT-01',
      host: 'fe80::1234:5678:9abc:def0',
      port: 11112,
      callingAe: 'GATEWAY-OUTBOUND',
    });
    const views = ['Live', 'Send', 'Inspector', 'Destinations', 'Rules', 'Queue', 'Settings'];
    for (const [index, label] of views.entries()) {
      await page.keyboard.press(`Control+${index + 1}`);
      await page.getByRole('heading', { level: 1, name: label, exact: true }).waitFor({ state: 'visible', timeout: 5_000 });
      if (label === 'Live') {
        // A long patient name stays on one line: every study row is one text line high.
        const rows = page.getByRole('region', { name: 'Studies' }).locator('tbody tr');
        for (const row of await rows.all()) expect((await row.boundingBox())!.height, 'a study row height').toBeLessThan(48);
        // And every column is in view: the name and description give way, no sideways scrolling to the last one.
        expect(await sidewaysScrolling(page.getByRole('region', { name: 'Studies' })), 'Studies scrolled sideways').toEqual([]);
        await expectClosedAssociationsReadable(page);
      }
      // The jobs the earlier tests made are listed before the columns are measured.
      if (label === 'Queue')
        await dataRows(page.getByRole('table', { name: 'Jobs', exact: true }))
          .first()
          .waitFor();
      expect(await clippedControls(page), `${label} at 1024x640`).toEqual([]);
      expect(await tableLayoutProblems(page), `${label} at 1024x640`).toEqual([]);
      await saveScreenshot(page, `9-1024-${label.toLowerCase()}`);
    }
    // In Queue, Tab alone reaches a job's Retry button (the actions are not cut off, and focusable).
    await page.keyboard.press('Control+6');
    await page.getByRole('heading', { level: 1, name: 'Queue', exact: true }).waitFor();
    let reached = '';
    for (let i = 0; i < 80 && !reached.startsWith('Retry job'); i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate('document.activeElement?.getAttribute("aria-label") ?? ""');
    }
    expect(reached).toMatch(/^Retry job \d+$/);
    expect(small.problems).toEqual([]);
    await small.close();
  });

  it('left a 1280x800 README screenshot of every view from this run', async () => {
    for (const view of ['live', 'send', 'inspector', 'destinations', 'rules', 'queue', 'settings']) {
      const path = join(README_SCREENSHOT_DIR, `${view}.png`);
      const info = await stat(path);
      expect(info.mtimeMs, `${path} was not written by this run`).toBeGreaterThanOrEqual(suiteStarted);
      expect(pngSize(await readFile(path)), path).toEqual(VIEWPORT);
    }
  });
});

/** Presses Enter on a control reached by keyboard focus, as a keyboard user opens it. */
async function openByKeyboard(control: Locator): Promise<void> {
  await control.focus();
  await control.page().keyboard.press('Enter');
}

/** The Instance view is shown, for the instance named `label`, with its image tab. */
async function expectInstanceView(page: Page, label: string | RegExp): Promise<void> {
  const view = page.getByRole('region', { name: 'Instance', exact: true });
  await page.getByRole('heading', { level: 1, name: 'Instance', exact: true }).waitFor({ state: 'visible' });
  await view.getByText(label).waitFor();
  expect(await view.getByRole('tab', { name: 'Image' }).getAttribute('aria-selected')).toBe('true');
}

/**
 * Every recently closed association in Live can be read whole: scrolled to inside its panel, it is
 * inside the panel's box, with both AE titles, its peer and its counts.
 */
async function expectClosedAssociationsReadable(page: Page): Promise<void> {
  const panel = page.getByRole('region', { name: 'Associations, open and recently closed' });
  const items = panel.getByRole('list', { name: 'Recently closed associations' }).getByRole('listitem');
  expect(await items.count(), 'recently closed associations at this point of the suite').toBeGreaterThan(1);
  expect(await panel.getAttribute('tabindex'), 'the scrolling panel is reachable by keyboard').toBe('0');
  for (const item of await items.all()) {
    await item.scrollIntoViewIfNeeded();
    const [box, inside] = [(await panel.boundingBox())!, (await item.boundingBox())!];
    const text = await item.innerText();
    expect(inside.y, text).toBeGreaterThanOrEqual(box.y - 1);
    expect(inside.y + inside.height, text).toBeLessThanOrEqual(box.y + box.height + 1);
    expect(inside.x + inside.width, text).toBeLessThanOrEqual(box.x + box.width + 1);
    expect(text).toMatch(/\S+ → \S+[\s\S]*127\.0\.0\.1:\d+[\s\S]*\d+ instances? · [\d.]+ [kMG]?B · \w+/);
  }
}

/**
 * Where the first byte of the chosen difference is drawn in each hex pane: its row's top and its
 * column (the byte's distance from its pane's first byte column), in CSS pixels.
 */
function markedPlaces(hex: Locator): Promise<{ a?: { top: number; column: number }; b?: { top: number; column: number } }> {
  return hex.evaluate((grid) => {
    // Typed structurally: the tests compile without the DOM library.
    type Box = { top: number; left: number };
    type El = { getBoundingClientRect(): Box; querySelector(s: string): El | null };
    const place = (side: string) => {
      const pane = (grid as unknown as El).querySelector(`[data-side="${side}"]`);
      const mark = (grid as unknown as El).querySelector(`[data-side="${side}"] .marked`);
      if (!pane || !mark) return undefined;
      const box = mark.getBoundingClientRect();
      return { top: Math.round(box.top), column: Math.round(box.left - pane.getBoundingClientRect().left) };
    };
    return { a: place('A'), b: place('B') };
  });
}

/** Media Storage SOP Instance UID (0002,0003) of a file. */
function sopOf(file: Buffer): string {
  const sop = sopInstanceOf(file);
  if (!sop) throw new Error('no (0002,0003) in the file meta group');
  return sop;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
