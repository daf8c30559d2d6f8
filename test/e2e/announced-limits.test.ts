/**
 * A limit the API announces in its answers' headers is taken as the pace (issue 16, item 4): the
 * built CLI asking for 50 requests/s, 8 in flight, of the simulator limited to
 * 5 requests/s, with the limit announced in each header style and not at all, counting the 429s
 * the simulator sent.
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
    ['po-numbers', file, '--rate', '50', '--concurrency', '8', '--no-progress'],
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
  test('is the pace: a run that asks for ten times the limit gets next to no 429, far fewer than unannounced', async () => {
    const unannounced = await refusalsWith('none');
    const ietf = await refusalsWith('ietf');
    const github = await refusalsWith('github');
    // Unannounced, the pace is learnt from refusals: asking 50/s of a 5/s limit, most of its first second's.
    expect(unannounced.refused).toBeGreaterThanOrEqual(4);
    for (const announced of [ietf, github]) {
      expect(announced).toEqual({ refused: expect.any(Number), succeeded: ROWS });
      // The first answer announces the limit before the second request goes out (20 ms later).
      expect(announced.refused).toBeLessThanOrEqual(1);
      expect(announced.refused * 3).toBeLessThan(unannounced.refused);
    }
    expect(unannounced.succeeded).toBe(ROWS);
  });
});
