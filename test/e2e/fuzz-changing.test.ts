/**
 * Fuzzing files that change while they are read: generated inputs, each run in-process through
 * `run` against the simulator and changed (overwritten, cut short, grown, replaced, touched, one
 * byte flipped) once a number of its requests were sent. Only rows the preflight checked may be
 * sent, and the results hold one row per input row. Its own file, so the memory bound of the other
 * fuzz test keeps measuring the workload it was set for. FUZZ_SEED reproduces a run.
 */
import { describe, expect, test } from '@jest/globals';
import { appendFile, open, readFile, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RunError } from '../../src/errors.js';
import { resolveOptions } from '../../src/cli/resolve-options.js';
import { run } from '../../src/job/run.js';
import { neutralise } from '../../src/results/results-writer.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { readResults, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { changingInputs, type ChangingInput } from '../helpers/fuzz-changing-inputs.js';
import { Collector } from '../helpers/collector.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);
let dir: string;

/** Change `file` as `input` says, while its run reads it. */
async function change(file: string, input: ChangingInput): Promise<void> {
  switch (input.change) {
    case 'overwritten':
      return writeFile(file, input.other);
    case 'cut short':
      return truncate(file, input.offset);
    case 'grown':
      return appendFile(file, input.other.slice(input.other.indexOf('\n') + 1));
    case 'replaced':
      await writeFile(`${file}.new`, input.other);
      return rename(`${file}.new`, file);
    case 'touched': {
      const later = new Date(Date.now() + 5_000);
      return utimes(file, later, later);
    }
    case 'one byte flipped': {
      const handle = await open(file, 'r+');
      try {
        const byte = Buffer.alloc(1);
        await handle.read(byte, 0, 1, input.offset);
        byte[0] = (byte[0] as number) ^ 0x04;
        await handle.write(byte, 0, 1, input.offset);
      } finally {
        await handle.close();
      }
    }
  }
}

/** The data rows of a generated file (no quotes in it) as the results file should list them. */
function rowsOf(bytes: Buffer): { line: string; customerId: string; value: string }[] {
  const rows: { line: string; customerId: string; value: string }[] = [];
  bytes
    .toString('utf8')
    .split('\n')
    .forEach((text, i) => {
      const cells = text.split(',');
      if (i > 0 && cells.some((c) => c.trim() !== ''))
        rows.push({
          line: String(i + 1),
          customerId: neutralise(cells[0] ?? ''),
          value: neutralise(cells[2] ?? ''),
        });
    });
  return rows;
}

/** Every way the requests and results of one run are not those of the file as `version` holds it. */
function differences(
  version: Buffer,
  sent: readonly string[],
  results: readonly Record<string, string>[] | undefined,
): string[] {
  const rows = rowsOf(version);
  const problems: string[] = [];
  const values = new Set(rows.map((r) => JSON.stringify(r.value.replace(/^'/, ''))));
  const strays = sent.filter((body) => !values.has(body));
  if (strays.length > 0) problems.push(`sent ${strays.length} rows it never checked, first ${strays[0]}`);
  if (results === undefined) return problems;
  if (results.length !== rows.length) problems.push(`${results.length} results for ${rows.length} rows`);
  results.forEach((row, i) => {
    const expected = rows[i] ?? { line: '', customerId: '', value: '' };
    const known =
      row.line === expected.line && row.customerId === expected.customerId && row.poNumber === expected.value;
    const unread = row.line === expected.line && row.poNumber === '' && row.status === 'not_attempted';
    if (!(known || unread)) problems.push(`results row ${i}: ${JSON.stringify(row)}`);
  });
  return problems;
}

/**
 * Run `input` in-process against `server`, changing it once `input.after` requests were sent, and
 * say every way the run broke the contract: only rows the preflight checked are sent, the results
 * hold one row per input row at its line, with the input's cells or none, and the run ends with 0,
 * 1 or 3 (2 only if nothing was sent). Changed after a request, the file the preflight checked is
 * the original; changed at once, it may be either, but only one of them.
 */
async function runChanging(
  server: Simulator,
  input: ChangingInput,
): Promise<{ problems: string[]; ending: string }> {
  server.reset();
  const file = path.join(dir, input.name);
  const out = `${file}.results.csv`;
  await writeFile(file, input.bytes);
  const sim = simEnv(server.url);
  const options = resolveOptions('po-numbers', file, { rate: 0, out, retries: 0, timeout: 120 }, sim);
  // The change lands while the `after`-th request waits for its answer (held by the simulator
  // until then), so it comes at that point of the run whatever the machine's speed.
  const hold = input.after > 0 ? server.holdAnswers(input.after) : undefined;
  const running = run(options, { env: sim, stderr: new Collector() }).then(
    (summary) => ({ summary, error: undefined }),
    (error: unknown) => ({ summary: undefined, error }),
  );
  const due = hold === undefined ? 'now' : await Promise.race([hold.arrived.then(() => 'now'), running]);
  if (due === 'now') await change(file, input);
  hold?.release();
  const { summary, error } = await running;
  const problems: string[] = [];
  if (summary === undefined) {
    if (!(error instanceof RunError) || error.exitCode !== 2) problems.push(`threw ${String(error)}`);
    else if (server.counters.api > 0) problems.push(`exit 2 after sending ${server.counters.api} requests`);
  } else {
    if (![0, 1, 3].includes(summary.exitCode)) problems.push(`exit ${summary.exitCode}`);
    if (summary.exitCode === 3 && !/changed/.test(summary.stoppedBecause ?? ''))
      problems.push(`stopped because ${summary.stoppedBecause}`);
  }
  const sent = server.requests.filter((q) => q.method === 'PATCH').map((q) => q.body);
  const results = summary === undefined ? undefined : await readResults(out);
  const versions = input.after === 0 ? [input.bytes, await readFile(file)] : [input.bytes];
  const found = versions.map((version) => differences(version, sent, results));
  if (!found.some((d) => d.length === 0)) problems.push(...(found[0] as string[]));
  await Promise.all([rm(file, { force: true }), rm(out, { force: true })]);
  const unread = results?.some((row) => row.poNumber === '' && row.status === 'not_attempted') ?? false;
  const ending = `exit ${summary?.exitCode ?? 2}${unread ? ', rows not read again' : ''}`;
  return { problems: problems.slice(0, 5), ending };
}

describe(`fuzzing files that change while they are read (FUZZ_SEED=${SEED})`, () => {
  test('files changed while they are read send only rows checked, with one results row per input row', async () => {
    // Slow enough for the change to land while the rows are being sent.
    const server = await startSimulator({ latencyMs: 1 });
    dir = await tempDir();
    try {
      const report: string[] = [];
      const endings = new Set<string>();
      for (const input of changingInputs(SEED, Number(process.env.FUZZ_CHANGING ?? 18))) {
        const { problems, ending } = await runChanging(server, input);
        endings.add(ending);
        if (problems.length > 0)
          report.push(
            `FUZZ_SEED=${SEED} ${input.name} (${input.change} after ${input.after}):\n  ${problems.join('\n  ')}`,
          );
      }
      expect(report).toEqual([]);
      // Changes landed mid-run: runs stopped, some with rows that could not be read again.
      expect([...endings].sort()).toEqual(expect.arrayContaining(['exit 3', 'exit 3, rows not read again']));
    } finally {
      await server.close();
    }
    // Eighteen runs took close to jest's 60 s at a load average of 15-20 and went over it; a
    // hang still fails the test. An attempt's timeout (120 s, was 5 s) outlasts any late answer
    // of the simulator, which never fails here, so load alone no longer fails rows.
  }, 300_000);
});
