/**
 * The bench's chart, as SVG text (no dependency): one group per scenario and corpus, one bar per
 * side for its median time, with a line over the range of its rounds. Each group has its own
 * scale, because a 5000-file relay through Orthanc and a 1000-file receive differ 100-fold.
 */
import { corpusLabel, type ScenarioResult } from './report.ts';
import { sideName, type SideKey } from './scenario-plans.ts';

const WIDTH = 760;
const LABEL_WIDTH = 130;
const VALUE_WIDTH = 90;
const BAR_AREA = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20;
const ROW = 22;
const GROUP_HEADER = 28;
const TOP = 40;

const COLORS: Record<SideKey, string> = {
  dcmtk: '#4e79a7',
  'dcmtk-fork': '#76b7b2',
  gateway: '#e15759',
  orthanc: '#f28e2b',
  'gateway-tls': '#b07aa1',
  'gateway-transcode': '#9c755f',
  'bare-node-scp': '#bab0ac',
  'bare-node-scu': '#d4a6c8',
};

export function renderChart(results: readonly ScenarioResult[], title: string): string {
  const parts: string[] = [];
  let y = TOP;
  for (const r of results) {
    parts.push(text(10, y + 18, `${r.scenario}, ${corpusLabel(r.corpus, r.files)}`, 'font-weight="bold"'));
    y += GROUP_HEADER;
    const scale = BAR_AREA / Math.max(...r.sides.map((side) => rangeOf(r, side.key).max));
    for (const side of r.sides) {
      const { min, max } = rangeOf(r, side.key);
      const median = side.summary.medianSeconds;
      const barY = y + 4;
      parts.push(text(10, y + 15, sideName(side.key)));
      parts.push(
        `<rect x="${LABEL_WIDTH}" y="${barY}" width="${(median * scale).toFixed(1)}" height="${ROW - 8}" fill="${COLORS[side.key]}"/>`,
      );
      const mid = barY + (ROW - 8) / 2;
      parts.push(
        `<line x1="${(LABEL_WIDTH + min * scale).toFixed(1)}" y1="${mid}" x2="${(LABEL_WIDTH + max * scale).toFixed(1)}" y2="${mid}" stroke="#333" stroke-width="1.5"/>`,
      );
      parts.push(text(LABEL_WIDTH + max * scale + 6, y + 15, `${median.toFixed(2)} s`));
      y += ROW;
    }
    y += 8;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(10, 22, title, 'font-size="14" font-weight="bold"'),
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** Fastest and slowest round of one side. */
function rangeOf(r: ScenarioResult, key: SideKey): { min: number; max: number } {
  const seconds = r.rounds.map((round) => round[key]?.seconds).filter((s): s is number => s !== undefined);
  return { min: Math.min(...seconds), max: Math.max(...seconds) };
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
