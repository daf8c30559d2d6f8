/**
 * Stopping the nightly job on a signal end to end (issue 15): SIGHUP as a stop, and rows waiting
 * for the rate limiter or for a token cancelled at once.
 */
import { describe, expect, test } from '@jest/globals';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readResults, SIM_TOKEN } from '../helpers/cli.js';
import { dir, env, patches, sim, simulatorForEachTest, start, writtenRows } from '../helpers/e2e.js';
import { writePoNumbers } from '../helpers/generate.js';

simulatorForEachTest();

describe('signals', () => {
  test('SIGHUP (a closed terminal) is a stop like SIGTERM: rows in flight finish, a summary, the lock released, exit 129', async () => {
    sim.configure({ latencyMs: 100 });
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 200);
    const out = path.join(dir, 'out.csv');
    const summaryFile = path.join(dir, 'summary.json');
    const { child, done } = start([
      'po-numbers',
      file,
      '--out',
      out,
      '--rate',
      '0',
      '--concurrency',
      '4',
      '--summary-json',
      summaryFile,
    ]);
    while ((await writtenRows(out)) < 8) await sleep(20);
    child.kill('SIGHUP');
    const { code, stderr } = await done;
    expect(code).toBe(129);
    expect(stderr).toContain('interrupted by SIGHUP');
    const rows = await readResults(out);
    expect(rows).toHaveLength(200);
    const success = rows.filter((r) => r.status === 'success').length;
    expect(rows.slice(success).every((r) => r.status === 'not_attempted')).toBe(true);
    expect(sim.poNumbers.size).toBe(success);
    expect(JSON.parse(await readFile(summaryFile, 'utf8'))).toMatchObject({
      exitCode: 129,
      stoppedBecause: 'interrupted by SIGHUP',
    });
    await expect(stat(`${out}.lock`)).rejects.toThrow();
  });

  test('a stop cancels the rows waiting for the rate limiter at once: --rate 1 --concurrency 12 exits at once, not after 12 s', async () => {
    const file = path.join(dir, 'in.csv');
    await writePoNumbers(file, 40);
    const out = path.join(dir, 'out.csv');
    // One start per 100 s: the token's check (a GET) takes the first turn, and the next is due
    // long after jest's timeout, so a stop that waited out the pace (the old code did) fails the
    // test by timing out, whatever the machine's load; no clock is read.
    const args = ['po-numbers', file, '--out', out, '--rate', '0.01', '--concurrency', '12'];
    const { child, done } = start(args);
    while (sim.requests.length < 1) await sleep(20);
    child.kill('SIGTERM');
    const { code } = await done;
    expect(code).toBe(143);
    expect(sim.requests.map((r) => r.method)).toEqual(['GET']);
    const rows = await readResults(out);
    expect(rows).toHaveLength(40);
    const sent = rows.filter((r) => r.status === 'success').length;
    expect(sent).toBe(0);
    expect(sent).toBe(patches());
    expect(rows.slice(sent).every((r) => r.status === 'not_attempted' && r.attempts === '0')).toBe(true);
  });

  test('a stop cancels the rows waiting for a token at once', async () => {
    // A token endpoint that hands out a token for 2 s, then never answers the renewal.
    let asked = 0;
    const tokens = http.createServer((request, response) => {
      asked++;
      if (asked > 1) return; // hangs until the client gives up or the server closes
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ access_token: SIM_TOKEN, token_type: 'Bearer', expires_in: 2 }));
    });
    await new Promise<void>((resolve) => tokens.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = tokens.address() as AddressInfo;
      const file = path.join(dir, 'in.csv');
      await writePoNumbers(file, 200);
      const out = path.join(dir, 'out.csv');
      const environment = env({
        CLOUDCOCKPIT_TOKEN: undefined,
        CLOUDCOCKPIT_TOKEN_URL: `http://127.0.0.1:${port}/tenant/oauth2/v2.0/token`,
        CLOUDCOCKPIT_CLIENT_ID: 'sim-client-id',
        CLOUDCOCKPIT_CLIENT_SECRET: 'sim-client-secret',
      });
      // The renewal hangs and an attempt may last an hour: a stop that waited for the token (the
      // old code did, for its 5 s timeout and a retry) fails the test by jest's timeout, whatever
      // the machine's load; no clock is read.
      const args = ['po-numbers', file, '--out', out, '--rate', '20', '--timeout', '3600'];
      const { child, done } = start(args, environment);
      // The token is renewed after 1.8 s; from then on every row waits for it.
      while (asked < 2) await sleep(20);
      await sleep(300); // lets rows queue behind the renewal; the test holds however many did
      child.kill('SIGTERM');
      const { code } = await done;
      expect(code).toBe(143);
      const rows = await readResults(out);
      expect(rows).toHaveLength(200);
      expect(rows.filter((r) => r.status === 'success').length).toBe(patches());
    } finally {
      tokens.closeAllConnections();
      await new Promise((resolve) => tokens.close(resolve));
    }
  });
});
