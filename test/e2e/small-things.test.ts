/**
 * Small things a new user met (issue 13), end to end through the built CLI against the simulator:
 * each test is one thing seen going wrong, and its siblings.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../src/simulator/server.js';
import { runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { writePoNumbers } from '../helpers/generate.js';

let sim: Simulator;
let dir: string;

const env = (extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv => simEnv(sim.url, extra);
const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

beforeEach(async () => {
  sim = await startSimulator();
  dir = await tempDir();
});

afterEach(async () => {
  await sim.close();
});

describe('the log', () => {
  test('a text log file has an ISO time stamp on every line; no line shows a field that is not set', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 2);
    await writeFile(file, 'not-a-guid,not-a-guid,PO-X\n', { flag: 'a' });
    const log = path.join(dir, 'run.log');
    const run = await runCli(
      ['po-numbers', file, '--rate', '0', '--log-level', 'debug', '--log-file', log, '--log-format', 'text'],
      env(),
    );
    expect(run.code).toBe(1);
    for (const shown of run.stderr.split('\n')) expect(shown).not.toContain('undefined');
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines) expect(line).toMatch(new RegExp(`^${ISO} (error|warn|info|debug): `));
    expect(lines.filter((l) => / debug: line \d+: success \(/.test(l))).toHaveLength(2);
    expect(lines.find((l) => l.includes('debug: line 4: invalid'))).toContain('problem=');
    for (const line of lines) expect(line).not.toContain('undefined');
    // stderr, read as it happens, stays without time stamps.
    expect(run.stderr).toMatch(/^debug: line 2: success \(line=2 correlationId=/m);
  });
});
