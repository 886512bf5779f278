// Mutation testing with StrykerJS, one run per folder (or file) so each gets its own score.
//   npm run mutation                          # src/resilience, src/pipeline, src/routing, src/config
//   npm run mutation -- src/resilience        # one folder
//   npm run mutation -- src/routing/strategies.ts
// Reports: reports/mutation/<name>/{mutation.html,mutation.json}; results are kept between runs
// (Stryker's incremental mode), so a second run only tests what changed.
import { existsSync, statSync } from 'node:fs';
import type { MutantResult } from '@stryker-mutator/api/core';
import { Stryker } from '@stryker-mutator/core';

const DEFAULT_TARGETS = ['src/resilience', 'src/pipeline', 'src/routing', 'src/config'];
const TARGET = 80;

interface Score {
  target: string;
  counts: Record<string, number>;
  score: number;
  covered: number;
  minutes: number;
}

function mutateGlobs(target: string): string[] {
  if (!existsSync(target)) throw new Error(`${target}: no such file or folder`);
  if (statSync(target).isFile()) return [target];
  return [`${target}/**/*.ts`, '!**/*.test.ts'];
}

async function runOne(target: string): Promise<Score> {
  const name = target.replace(/^src\//, '').replace(/[/.]/g, '-');
  const started = Date.now();
  const stryker = new Stryker({
    mutate: mutateGlobs(target),
    incremental: true,
    incrementalFile: `reports/mutation/${name}/incremental.json`,
    jsonReporter: { fileName: `reports/mutation/${name}/mutation.json` },
    htmlReporter: { fileName: `reports/mutation/${name}/mutation.html` },
  });
  const results = await stryker.runMutationTest();
  return score(target, results, (Date.now() - started) / 60_000);
}

function score(target: string, results: MutantResult[], minutes: number): Score {
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const covered = detected + (counts.Survived ?? 0);
  const valid = covered + (counts.NoCoverage ?? 0);
  return {
    target,
    counts,
    score: valid === 0 ? 100 : (100 * detected) / valid,
    covered: covered === 0 ? 100 : (100 * detected) / covered,
    minutes,
  };
}

function print(scores: Score[]): void {
  console.log('\nmutation score per target (killed + timed out) / (all but ignored and errors)');
  console.log('target                 mutants  killed  timeout  survived  no-cover  score   covered  minutes');
  for (const s of scores) {
    const c = (k: string) => String(s.counts[k] ?? 0).padStart(7);
    const total = Object.values(s.counts).reduce((a, b) => a + b, 0);
    const verdict = s.score >= TARGET ? 'PASS' : 'FAIL';
    console.log(
      `${s.target.padEnd(22)} ${String(total).padStart(7)} ${c('Killed')}  ${c('Timeout')}   ${c('Survived')}   ${c('NoCoverage')}  ${s.score.toFixed(1).padStart(5)}%  ${s.covered.toFixed(1).padStart(5)}%  ${s.minutes.toFixed(0).padStart(6)}  ${verdict} (target ${TARGET}%)`,
    );
  }
}

const targets = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_TARGETS;
const scores: Score[] = [];
for (const target of targets) {
  scores.push(await runOne(target));
  print(scores);
}
