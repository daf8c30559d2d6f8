/**
 * A limit the API announces in its answers' headers is taken as the pace (issue 16, item 4): the
 * built CLI unpaced, one request at a time (`--rate 0 --concurrency 1`), against the simulator
 * limited to 5 requests/s, with the limit announced in each header style and not at all, counting
 * the 429s the simulator sent. Unannounced, the sixth request of the first second is refused
 * however fast the machine is (six round trips within a second); announced, the first answer sets
 * the pace and, one request at a time, nothing can go out faster.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import path from 'node:path';
import type { RateLimitHeaders } from '../../src/simulator/rate-limit.js';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { readResults, runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

const ROWS = 25;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ rateLimit: 5, recordRequests: false });
});

afterAll(async () => {
  await sim.close();
});

/** A run of ROWS rows with the limit announced in `style`: the 429s it got, and whether every row succeeded. */
async function refusalsWith(style: RateLimitHeaders): Promise<{ refused: number; succeeded: number }> {
  sim.configure({ rateLimitHeaders: style });
  sim.reset();
  const dir = await tempDir();
  const file = path.join(dir, 'in.csv');
  await writePoNumbers(file, ROWS);
  const run = await runCli(
    ['po-numbers', file, '--rate', '0', '--concurrency', '1', '--no-progress'],
    simEnv(sim.url),
  );
  expect(run.code).toBe(0);
  const rows = await readResults(path.join(dir, 'in.results.csv'));
  return {
    refused: sim.counters.byStatus[429] ?? 0,
    succeeded: rows.filter((r) => r.status === 'success').length,
  };
}

describe('a limit announced by headers', () => {
  test('is the pace: an unpaced run gets no 429 at all, where unannounced it is refused', async () => {
    const unannounced = await refusalsWith('none');
    const ietf = await refusalsWith('ietf');
    const github = await refusalsWith('github');
    expect(unannounced.refused).toBeGreaterThanOrEqual(1);
    expect(unannounced.succeeded).toBe(ROWS);
    expect(ietf).toEqual({ refused: 0, succeeded: ROWS });
    expect(github).toEqual({ refused: 0, succeeded: ROWS });
  });
});
