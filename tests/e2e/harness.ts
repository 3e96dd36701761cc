/**
 * The end-to-end harness: the real renderer (built by Vite), served by a real `dicom-gateway serve
 * --ui-port 0`, driven in a real headless Chromium (/usr/bin/chromium through playwright-core).
 * Elements are found the way a person finds them: by role and accessible name.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, onTestFailed } from 'vitest';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { waitFor } from '../helpers/wait.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const RENDERER_SOURCE = join(REPO_ROOT, 'src-renderer');
const RENDERER_INDEX = join(REPO_ROOT, 'dist/renderer/index.html');
const VITE_BIN = join(REPO_ROOT, 'node_modules/vite/bin/vite.js');

/** Per-test screenshots (gitignored). */
export const ARTIFACT_DIR = join(REPO_ROOT, 'test-artifacts/e2e');
/** One screenshot per view for the README (committed). */
/**
 * The README's pictures: docs/screenshots when asked for (`npm run screenshots`), otherwise beside
 * the other artifacts, so a plain test run leaves the working tree clean.
 */
export const README_SCREENSHOT_DIR =
  process.env.UPDATE_README_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs/screenshots') : join(REPO_ROOT, 'test-artifacts/e2e/readme');

/** The size the README screenshots are taken at. */
export const VIEWPORT = { width: 1280, height: 800 };

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** Builds dist/renderer when it is missing or older than any file under src-renderer/, so the suite never tests a stale UI. */
export async function ensureRendererBuilt(): Promise<void> {
  const built = await stat(RENDERER_INDEX).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built > (await newestMtime(RENDERER_SOURCE))) return;
  await new Promise<void>((resolveBuild, reject) => {
    execFile(
      process.execPath,
      [VITE_BIN, 'build', '--config', join(RENDERER_SOURCE, 'vite.config.ts'), '--logLevel', 'warn'],
      { cwd: REPO_ROOT, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`renderer build failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolveBuild();
      },
    );
  });
}

export interface UiGateway {
  gateway: GatewayProcess;
  /** The address printed by serve, token included. */
  url: string;
  aeTitle: string;
}

/**
 * `serve --ui-port 0` on a storage folder (or `--ui-port uiPort`: a restart on the port an open page
 * talks to); `aeTitle` is the one it is expected to listen as. The UI address is read from what it prints.
 */
export async function startUiGateway(opts: { storage: string; aeTitle: string; uiPort?: number; args?: string[] }): Promise<UiGateway> {
  // No --ae: the AE title stays free for Settings to change (a flag would fix it), GATEWAY unless saved.
  const uiPort = String(opts.uiPort ?? 0);
  const gateway = await startGateway({ storage: opts.storage, args: ['--ui-port', uiPort, ...(opts.args ?? [])] });
  const match = await waitFor(
    'the "UI listening on" line',
    () => /^UI listening on (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(gateway.output()) ?? undefined,
  );
  return { gateway, url: match[1]!, aeTitle: opts.aeTitle };
}

/**
 * Scrollbars are drawn and take their width, as in the desktop app on Windows and Linux:
 * playwright hides them in headless Chromium, where they would take no room at all.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, ignoreDefaultArgs: ['--hide-scrollbars'] });
}

/**
 * A suite's start: the renderer built, `serve --ui-port 0` started and Chromium launched, at once
 * where they can be (serve refuses to start without a built renderer, so a first build comes first).
 */
export async function startUiSuite(opts: Parameters<typeof startUiGateway>[0]): Promise<{ ui: UiGateway; browser: Browser }> {
  const built = await stat(RENDERER_INDEX).then(
    () => true,
    () => false,
  );
  if (!built) await ensureRendererBuilt();
  const [, ui, browser] = await Promise.all([ensureRendererBuilt(), startUiGateway(opts), launchChromium()]);
  return { ui, browser };
}

type UiGatewayOptions = Parameters<typeof startUiGateway>[0];

/** What a suite from useUiSuite holds once its beforeAll has run. */
export interface UiSuite {
  /** A temporary folder for the file's studies, configs and storage; removed after the suite. */
  readonly work: string;
  readonly ui: UiGateway;
  readonly browser: Browser;
  /** openTestPage on this suite's browser and gateway. */
  openPage(artifactName: string, viewport?: { width: number; height: number }): Promise<UiPage>;
  /** Stops the gateway (unless a test already has) and starts serve again on the same storage with these options. */
  restart(opts: Omit<UiGatewayOptions, 'storage'>): Promise<UiGateway>;
}

/**
 * One gateway and one Chromium for a whole e2e file: a work folder is made, `gatewayOptions` says
 * how to start serve in it, and all of it is stopped and removed after the file's tests.
 */
export function useUiSuite(workPrefix: string, gatewayOptions: (work: string) => Promise<UiGatewayOptions>): UiSuite {
  let work = '';
  let ui: UiGateway | undefined;
  let browser: Browser | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the UI suite is not started (used outside its tests?)');
    return value;
  };
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), workPrefix));
    ({ ui, browser } = await startUiSuite(await gatewayOptions(work)));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.gateway.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });
  return {
    get work() {
      return started(work || undefined);
    },
    get ui() {
      return started(ui);
    },
    get browser() {
      return started(browser);
    },
    openPage: (artifactName, viewport) => openTestPage(started(browser), started(ui), artifactName, viewport),
    async restart(opts) {
      const storage = started(ui).gateway.storage;
      await started(ui).gateway.stop();
      ui = await startUiGateway({ storage, ...opts });
      return ui;
    },
  };
}

export interface UiPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors the page reported: a healthy UI has none. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser context (no cookies, no storage) with the UI loaded and connected: the header
 * says which AE title the gateway listens as once the first command has been answered.
 */
export async function openUi(browser: Browser, ui: UiGateway, viewport: { width: number; height: number } = VIEWPORT): Promise<UiPage> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme: 'light', reducedMotion: 'reduce' });
  // Nothing in this UI should take long: a missing element fails in seconds, not Playwright's default 30.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A failed request is reported below with its address; the console line would only repeat it without one.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.push(`HTTP ${response.status()} for ${response.request().method()} ${new URL(response.url()).pathname}`);
  });
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.method()} ${new URL(request.url()).pathname}: ${request.failure()?.errorText}`),
  );
  await page.goto(ui.url);
  await page.getByRole('banner').getByText(`Listening as ${ui.aeTitle}`).waitFor({ timeout: 10_000 });
  return { context, page, problems, close: () => context.close() };
}

/** openUi for one test; if the test fails, a screenshot of what the page showed (FAILED-<artifactName>). */
export async function openTestPage(
  browser: Browser,
  ui: UiGateway,
  artifactName: string,
  viewport?: { width: number; height: number },
): Promise<UiPage> {
  const opened = await openUi(browser, ui, viewport);
  onTestFailed(async () => {
    await saveScreenshot(opened.page, `FAILED-${artifactName}`).catch(() => undefined);
    await opened.close().catch(() => undefined);
  });
  return opened;
}

/** Rows of an ARIA or HTML table that hold data (the header row has column headers, no cells). */
export function dataRows(table: Locator): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('cell') });
}

/** Opens a view from the navigation and waits for its heading. */
export async function showView(page: Page, label: string): Promise<Locator> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: label, exact: true }).click();
  const heading = page.getByRole('heading', { level: 1, name: label, exact: true });
  await heading.waitFor({ state: 'visible', timeout: 5_000 });
  return page.getByRole('region', { name: label, exact: true });
}

/**
 * Saves a screenshot as this test's artifact and, for a view's README picture, also as
 * docs/screenshots/<readmeName>.png. Focus and caret are left out so the pictures are stable.
 */
export async function saveScreenshot(page: Page, artifactName: string, readmeName?: string): Promise<void> {
  await mkdir(ARTIFACT_DIR, { recursive: true });
  const artifact = join(ARTIFACT_DIR, `${artifactName}.png`);
  await page.screenshot({ path: artifact, caret: 'hide', animations: 'disabled' });
  if (readmeName) {
    await mkdir(README_SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(README_SCREENSHOT_DIR, `${readmeName}.png`), caret: 'hide', animations: 'disabled' });
  }
}

/** Polls a condition the page shows until it holds (Playwright's auto-waiting, for conditions it has no locator for). */
export function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  return waitFor(what, () => probe().catch(() => undefined), timeoutMs, 20);
}

/** Text of each cell of a (ARIA or HTML) table row, by column heading. */
export async function rowCells(table: Locator, row: Locator): Promise<Record<string, string>> {
  const headers = (await table.getByRole('columnheader').allInnerTexts()).map((t) => t.trim());
  const cells = (await row.getByRole('cell').or(row.getByRole('rowheader')).allInnerTexts()).map((t) => t.trim());
  return Object.fromEntries(headers.map((h, i) => [h, cells[i] ?? '']));
}

/**
 * Controls of the visible view that the window or a clipping box (overflow hidden or scrolling
 * without a scrollbar the person can reach) cuts off on the right, or buttons whose own text
 * spills out of them (not those that end it with an ellipsis): none when the view fits.
 */
export function clippedControls(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const view = [...document.querySelectorAll('main section.view')].find((s) => !s.hidden);
    const clipped = [];
    for (const el of view ? view.querySelectorAll('button, input, select, textarea, a[href]') : []) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || r.bottom < 0) continue;
      const spills = el.tagName === 'BUTTON' && getComputedStyle(el).overflowX === 'visible' && el.scrollWidth > el.clientWidth + 1;
      let cut = r.right > window.innerWidth + 1 || spills;
      for (let box = el.parentElement; box && !cut; box = box.parentElement) {
        const style = getComputedStyle(box);
        if (style.overflowX === 'visible') continue;
        const b = box.getBoundingClientRect();
        // Cut off where the box hides overflow, or scrolls sideways without showing a scrollbar.
        const scrollable = style.overflowX === 'auto' || style.overflowX === 'scroll';
        if (r.right > b.right + 1 && !(scrollable && box.scrollWidth > box.clientWidth && box.offsetHeight > box.clientHeight)) cut = true;
      }
      if (cut) clipped.push((el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 60));
    }
    return clipped;
  })()`);
}

/**
 * The boxes in `region` (itself included) whose content is wider than they are and that scroll
 * sideways to show it, each with how far: none when everything in it fits its width.
 */
export function sidewaysScrolling(region: Locator): Promise<string[]> {
  type Box = { scrollWidth: number; clientWidth: number; tagName: string; className: unknown; querySelectorAll(s: string): Iterable<Box> };
  return region.evaluate((el) => {
    const view = el as unknown as Box;
    const { getComputedStyle } = globalThis as unknown as { getComputedStyle(box: Box): { overflowX: string } };
    const found: string[] = [];
    for (const box of [view, ...view.querySelectorAll('*')]) {
      const overflow = box.scrollWidth - box.clientWidth;
      const scrolls = box === view || ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
      if (scrolls && overflow > 1) found.push(`${box.tagName}.${String(box.className)}: ${overflow} px`);
    }
    return found;
  });
}

/**
 * What is wrong with the visible view's tables, as a person reading them would see it: a column
 * title that does not stand over its cells (left edges more than 1 px apart in the first data row;
 * the lists drawn as one grid per row can drift where a column sizes to its content), a title
 * wider than its column (it runs into the next one's), and a number column (class `numeric`) not
 * aligned right. None when every table reads well.
 */
export function tableLayoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const view = [...document.querySelectorAll('main section.view')].find((s) => !s.hidden);
    const problems = [];
    for (const table of view ? view.querySelectorAll('[role=table], table') : []) {
      const name = table.getAttribute('aria-label') || 'table';
      const rows = [...table.querySelectorAll('[role=row], tr')];
      const head = rows.find((r) => r.querySelector('[role=columnheader], th[scope=col]'));
      const body = rows.find((r) => r.querySelector('[role=cell], td'));
      for (const cell of [head, body].flatMap((r) => (r ? [...r.querySelectorAll('.numeric')] : []))) {
        const align = getComputedStyle(cell).textAlign;
        if (align !== 'right' && align !== 'end') problems.push(name + ': "' + cell.textContent.trim() + '" aligned ' + align);
      }
      if (!head || !body) continue;
      const headers = [...head.querySelectorAll('[role=columnheader], th')];
      const cells = [...body.querySelectorAll('[role=cell], [role=rowheader], td, th')];
      headers.forEach((h, i) => {
        const cell = cells[i];
        if (!cell || h.getBoundingClientRect().width === 0) return;
        const title = h.textContent.trim() || 'column ' + (i + 1);
        const drift = Math.round(cell.getBoundingClientRect().left - h.getBoundingClientRect().left);
        if (Math.abs(drift) > 1) problems.push(name + ': ' + title + ' ' + drift + ' px off its column');
        // A title that runs on into the next column's (it neither wraps nor ends in an ellipsis).
        const spill = h.scrollWidth - h.clientWidth;
        if (spill > 1 && getComputedStyle(h).overflowX === 'visible') problems.push(name + ': ' + title + ' ' + spill + ' px wider than its column');
      });
    }
    return problems;
  })()`);
}
