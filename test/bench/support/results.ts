/**
 * The benchmark results files: `bench-<scale>.json` for machines and `bench-<scale>.md` (one table
 * per scenario) for people. A run with `--only` replaces the scenarios it ran and keeps the others
 * from the previous file, each scenario stamped with its own date and commit.
 */
import { readFile, writeFile } from 'node:fs/promises';
import * as prettier from 'prettier';
import type { Figure, ScenarioResult } from '../scenarios/types.js';
import type { MachineInfo } from './machine.js';

export interface RecordedScenario extends ScenarioResult {
  readonly date: string;
  readonly commit: string;
  readonly seconds: number;
  /**
   * The machine's 1-minute load average when the scenario started and ended: other work on the
   * machine (beyond its cores) slows every figure, and this says whether there was any.
   */
  readonly loadAverage?: { readonly start: number; readonly end: number };
  /** Set when the scenario failed; its figures are then whatever it had before failing (none). */
  readonly error?: string;
}

export interface BenchResults {
  readonly scale: string;
  readonly seed: number;
  readonly date: string;
  readonly commit: string;
  readonly machine: MachineInfo;
  /** Where the Kafka broker came from, or why there was none. */
  readonly kafka: string;
  readonly scenarios: readonly RecordedScenario[];
}

export async function readPreviousScenarios(jsonPath: string): Promise<RecordedScenario[]> {
  try {
    const previous = JSON.parse(await readFile(jsonPath, 'utf8')) as BenchResults;
    return [...previous.scenarios];
  } catch {
    return [];
  }
}

const spaced = (value: number, digits: number) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits }).replace(/,/g, ' ');

export function formatValue(figure: Figure): string {
  if (!Number.isFinite(figure.value)) return 'not measured';
  if (figure.unit === 'ratio') return spaced(figure.value, 2);
  return spaced(figure.value, Math.abs(figure.value) >= 100 ? 0 : 1);
}

export const metMark = (figure: Figure): string =>
  figure.met === undefined ? '' : figure.met ? '✓' : '✗';

export const formatDetail = (figure: Figure): string =>
  Object.entries(figure.detail ?? {})
    .map(([key, value]) => `${key}: ${typeof value === 'number' ? spaced(value, 2) : value}`)
    .join('; ');

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function figureRow(figure: Figure): string {
  return `| ${[figure.name, formatValue(figure), figure.unit, figure.target ?? '', metMark(figure), formatDetail(figure)].map(cell).join(' | ')} |`;
}

export const TABLE_HEADER =
  '| figure | value | unit | target | met | detail |\n| --- | ---: | --- | --- | :---: | --- |';

export function markdownOf(results: BenchResults): string {
  const { machine } = results;
  const lines = [
    `# Suyuan benchmarks, ${results.scale} scale`,
    '',
    `Last written ${results.date} at commit ${results.commit}, seed ${results.seed}, on ` +
      `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node} ` +
      `(${machine.platform}). Kafka: ${results.kafka}. Written by \`npm run bench -- --scale ${results.scale}\`.`,
  ];
  for (const scenario of results.scenarios) {
    lines.push(
      '',
      `## ${scenario.scenario}`,
      '',
      `Measured ${scenario.date} at ${scenario.commit} in ${Math.round(scenario.seconds)} s` +
        (scenario.loadAverage
          ? `; load average ${scenario.loadAverage.start} at the start, ${scenario.loadAverage.end} at the end (${machine.cpus} cores).`
          : '.'),
      '',
    );
    if (scenario.error) lines.push(`**Failed:** ${scenario.error}`, '');
    if (scenario.figures.length > 0) lines.push(TABLE_HEADER, ...scenario.figures.map(figureRow));
    if (scenario.notes && scenario.notes.length > 0) {
      lines.push('', 'What bounds the figures:', '', ...scenario.notes.map((note) => `- ${note}`));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Formatted as `prettier --check .` (part of `npm run lint`) expects the committed files. */
async function formatted(text: string, path: string): Promise<string> {
  const options = await prettier.resolveConfig(path);
  return prettier.format(text, { ...options, filepath: path });
}

export async function writeResults(results: BenchResults, jsonPath: string, mdPath: string) {
  await writeFile(jsonPath, await formatted(JSON.stringify(results, null, 2), jsonPath));
  await writeFile(mdPath, await formatted(markdownOf(results), mdPath));
}
