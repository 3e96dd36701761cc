/**
 * Top self-time functions of V8 CPU profiles (`node --cpu-prof`, e.g. from `npm run bench -- --cpu-prof`).
 *
 *   node bench/profile-summary.ts bench/.corpus/profiles/receive-small-5000 [--top 25]
 *
 * Several profiles (one per gateway process) are added up. Self time is taken from the sample time
 * deltas, so it is right even when the sampling interval was not kept.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  location: string;
  /** Microseconds. */
  self: number;
}

/** Self time per function (same name and place), summed over profiles, largest first. */
export function selfTimes(profiles: CpuProfile[]): { functions: SelfTime[]; modules: SelfTime[]; total: number } {
  const functions = new Map<string, SelfTime>();
  const modules = new Map<string, SelfTime>();
  let total = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    profile.samples.forEach((id, i) => {
      // timeDeltas[i] is the time since the previous sample, so it belongs to sample i-1's frame.
      const frame = byId.get(profile.samples[i - 1] ?? id);
      const delta = profile.timeDeltas[i] ?? 0;
      if (!frame || delta <= 0) return;
      total += delta;
      const location = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
      add(functions, `${frame.functionName}\u0000${location}`, frame.functionName || '(anonymous)', location, delta);
      const module = frame.url ? shortUrl(frame.url) : frame.functionName;
      add(modules, module, module, '', delta);
    });
  }
  const sorted = (m: Map<string, SelfTime>) => [...m.values()].sort((x, y) => y.self - x.self);
  return { functions: sorted(functions), modules: sorted(modules), total };
}

function add(map: Map<string, SelfTime>, key: string, name: string, location: string, delta: number): void {
  const entry = map.get(key);
  if (entry) entry.self += delta;
  else map.set(key, { name, location, self: delta });
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + 1);
  return path.startsWith('/') ? relative(process.cwd(), path) : path;
}

async function profilePaths(targets: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const target of targets) {
    if ((await stat(target)).isDirectory()) {
      for (const name of (await readdir(target)).sort()) if (name.endsWith('.cpuprofile')) paths.push(join(target, name));
    } else paths.push(target);
  }
  if (paths.length === 0) throw new Error(`no .cpuprofile files in ${targets.join(', ')}`);
  return paths;
}

function table(rows: SelfTime[], total: number, top: number, withLocation: boolean): string {
  return rows
    .slice(0, top)
    .map(
      (r) =>
        `${(r.self / 1000).toFixed(0).padStart(8)} ms ${((100 * r.self) / total).toFixed(1).padStart(5)} %  ${r.name}${withLocation && r.location ? `  ${r.location}` : ''}`,
    )
    .join('\n');
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  if (positionals.length === 0) throw new Error('usage: node bench/profile-summary.ts PROFILE_OR_DIR... [--top N]');
  const paths = await profilePaths(positionals);
  const profiles = await Promise.all(paths.map(async (p) => JSON.parse(await readFile(p, 'utf8')) as CpuProfile));
  const { functions, modules, total } = selfTimes(profiles);
  const top = Number(values.top);
  console.log(
    `${paths.length} profile(s), ${(total / 1000).toFixed(0)} ms sampled\n\nTop functions by self time:\n${table(functions, total, top, true)}`,
  );
  console.log(`\nBy script:\n${table(modules, total, Math.min(top, 15), false)}`);
}

if (import.meta.main) await main(process.argv.slice(2));
