/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. the server's under `BENCH_CPU_PROF=<dir> npm run bench`):
 * top functions and top files/packages by self time, as text on stdout. With `--phases <rest-phases.json>` (written
 * next to the profile by the bench) it summarises each benchmark phase's window separately, so server start-up
 * (schema compilation, module loading) does not mix with steady-state request handling.
 *
 *   npx tsx bench/cpuprofile-summary.ts <file.cpuprofile> [--phases <phases.json>] [--top 25]
 */
import { readFileSync } from 'node:fs';
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
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { phases: { type: 'string' }, top: { type: 'string', default: '25' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: tsx bench/cpuprofile-summary.ts <file.cpuprofile> [--phases <phases.json>] [--top 25]\n');
  process.exit(2);
}
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as CpuProfile;
const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));

// Sample i is taken at startTime + sum(timeDeltas[0..i]) and stands for the time until the next sample.
const times = new Float64Array(profile.samples.length);
for (let i = 0, t = profile.startTime; i < profile.samples.length; i++) times[i] = t += profile.timeDeltas[i];

function shortUrl(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) return file.slice(nm + 'node_modules/'.length);
  for (const dir of ['/server/', '/hl7-listener/', '/bench/']) if (file.includes(dir)) return file.slice(file.indexOf(dir) + 1);
  return file;
}

function packageOf(url: string): string {
  const short = shortUrl(url);
  if (!short) return '(V8 / native)';
  if (!url.includes('node_modules/')) return short;
  const parts = short.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

function summarise(title: string, fromUs: number, toUs: number): void {
  const fns = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < times.length - 1; i++) {
    if (times[i] < fromUs || times[i] >= toUs) continue;
    const us = times[i + 1] - times[i];
    const frame = frames.get(profile.samples[i])!;
    const url = shortUrl(frame.url);
    const fn = `${frame.functionName || '(anonymous)'}${url ? `  ${url}:${frame.lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
    pkgs.set(packageOf(frame.url), (pkgs.get(packageOf(frame.url)) ?? 0) + us);
    total += us;
  }
  const idle = fns.get('(idle)') ?? 0;
  const out: string[] = [
    `\n=== ${title}: ${(total / 1e6).toFixed(1)} s sampled, ${(((total - idle) / Math.max(1, total)) * 100).toFixed(0)}% busy`,
  ];
  const table = (heading: string, totals: Map<string, number>) => {
    out.push(`-- ${heading} (ms, % of sampled time)`);
    for (const [key, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      out.push(`${(us / 1000).toFixed(0).padStart(7)} ${((us / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
    }
  };
  table('top functions by self time', fns);
  table('self time by package / file', pkgs);
  process.stdout.write(`${out.join('\n')}\n`);
}

if (values.phases) {
  const phases = JSON.parse(readFileSync(values.phases, 'utf8')) as Record<string, [number, number]>;
  for (const [name, [from, to]] of Object.entries(phases)) summarise(name, from, to);
} else summarise('whole profile', -Infinity, Infinity);
