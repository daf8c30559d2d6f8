/**
 * The rule for a run that cannot succeed, row by row, and the log of the circuit breaker's pauses
 * (issue 16, item 5).
 */
import { describe, expect, test } from '@jest/globals';
import type { RowResult } from '../../src/result.js';
import { duration, FAILING_FOR_MS, HOPELESS_ROWS, OutageWatch } from '../../src/job/outage.js';
import { manualClock, settled } from '../helpers/manual-clock.js';

const OPTIONS = { baseUrl: 'https://api.example.com', tenant: 'wrong.example.com', timeoutSeconds: 30 };

const refused: RowResult = {
  status: 'failed',
  attempts: 6,
  errorType: 'NetworkError',
  errorCode: 'ECONNREFUSED',
  durationMs: 8000,
};
const tenant: RowResult = { status: 'failed', attempts: 1, httpStatus: 400, errorType: 'InvalidTenant' };
const serverError: RowResult = {
  status: 'failed',
  attempts: 6,
  httpStatus: 503,
  errorType: 'ServiceUnavailable',
  durationMs: 100,
};
const success: RowResult = { status: 'success', attempts: 1, httpStatus: 204, durationMs: 50 };

/** A watch on a clock the test moves, and what it logged. */
function setup() {
  let now = 100_000;
  const logged: string[] = [];
  const logger = {
    warn: (m: string) => logged.push(`warn: ${m}`),
    info: (m: string) => logged.push(`info: ${m}`),
  };
  const watch = new OutageWatch(OPTIONS, logger as never, undefined, {
    now: () => now,
    after: () => () => {},
  });
  /** Each row in turn; what the watch said after each. */
  const finish = (...rows: RowResult[]) => rows.map((r) => watch.afterRow(r));
  return { watch, logged, finish, at: (t: number) => (now = t) };
}

describe('a run that cannot succeed', () => {
  test('five finished rows refused a connection and none succeeded: stop, naming the address to check', () => {
    const { finish } = setup();
    const said = finish(refused, refused, refused, refused, refused);
    expect(said.slice(0, 4)).toEqual([undefined, undefined, undefined, undefined]);
    expect(said[4]).toBe(
      'the API at https://api.example.com refused every connection (ECONNREFUSED) for the first 5 rows: check --base-url and the network',
    );
    expect(HOPELESS_ROWS).toBe(5);
  });

  test('four are not enough', () => {
    const { finish } = setup();
    expect(finish(refused, refused, refused, refused)).toEqual([undefined, undefined, undefined, undefined]);
  });

  test('one success among them means it is not hopeless, and later failures never make it so', () => {
    const { finish } = setup();
    const said = finish(refused, refused, success, refused, refused, ...Array(20).fill(refused));
    expect(said.every((s) => s === undefined)).toBe(true);
  });

  test('a success first means the same', () => {
    const { finish } = setup();
    expect(finish(success, ...Array(10).fill(tenant)).every((s) => s === undefined)).toBe(true);
  });

  test('a row refused for its own reasons (404) among them means it is not hopeless', () => {
    const { finish } = setup();
    const notFound: RowResult = { status: 'failed', attempts: 1, httpStatus: 404, errorType: 'NotFound' };
    expect(finish(tenant, tenant, notFound, tenant, tenant, tenant).every((s) => s === undefined)).toBe(true);
  });

  test('two causes are not one: refused connections and a refused tenant do not stop the run', () => {
    const { finish } = setup();
    expect(finish(refused, refused, tenant, refused, refused, refused).every((s) => s === undefined)).toBe(
      true,
    );
  });

  test('rows that were never sent (a stop, no token) do not count either way', () => {
    const { finish } = setup();
    const notSent: RowResult = { status: 'not_attempted', attempts: 0 };
    const said = finish(tenant, notSent, tenant, notSent, tenant, tenant, tenant);
    expect(said.at(-1)).toBe(
      'the API does not know the tenant wrong.example.com (HTTP 400 InvalidTenant) for the first 5 rows: ' +
        "check --tenant (CLOUDCOCKPIT_TENANT), your portal's domain",
    );
  });

  test('a host that is not found, and a secure connection that fails, each say what to check', () => {
    const dns = setup().finish(...Array(5).fill({ ...refused, errorCode: 'ENOTFOUND' }));
    expect(dns[4]).toBe(
      "the API's host api.example.com was not found (ENOTFOUND) for the first 5 rows: check --base-url and the network's DNS",
    );
    const tls = setup().finish(...Array(5).fill({ ...refused, attempts: 1, errorCode: 'EPROTO' }));
    expect(tls[4]).toBe(
      "the secure connection to the API at https://api.example.com failed (EPROTO) for the first 5 rows: check that --base-url is the API's https address, " +
        'and that a proxy which inspects TLS is trusted (NODE_EXTRA_CA_CERTS)',
    );
  });

  test('a failing API stops the run only once its rows have failed for ten seconds', () => {
    const { finish, at } = setup();
    // The first row's first attempt went out at 100 000 - 100 ms.
    expect(finish(serverError, serverError, serverError, serverError, serverError)).toEqual(
      Array(5).fill(undefined),
    );
    at(100_000 - 100 + FAILING_FOR_MS - 1);
    expect(finish(serverError)).toEqual([undefined]);
    at(100_000 - 100 + FAILING_FOR_MS);
    expect(finish(serverError)[0]).toBe(
      'the API at https://api.example.com failed the first 7 rows over 10 s (last: HTTP 503) and none succeeded: ' +
        'it is down or failing; run again later with --resume',
    );
  });

  test('timeouts and dropped connections are the API failing too, named as such', () => {
    const { finish, at } = setup();
    const timeout: RowResult = {
      status: 'failed',
      attempts: 6,
      errorType: 'Timeout',
      errorCode: 'ETIMEDOUT',
      durationMs: 0,
    };
    const dropped: RowResult = { ...refused, errorCode: 'ECONNRESET', durationMs: 0 };
    finish(timeout, dropped, timeout, dropped);
    at(100_000 + FAILING_FOR_MS);
    expect(finish(timeout)[0]).toBe(
      'the API at https://api.example.com failed the first 5 rows over 10 s (last: no answer within --timeout 30 s) ' +
        'and none succeeded: it is down or failing; run again later with --resume',
    );
  });

  test('it says so once', () => {
    const { finish } = setup();
    const said = finish(...Array(8).fill(tenant));
    expect(said.filter((s) => s !== undefined)).toHaveLength(1);
  });
});

describe('the circuit breaker, as the run logs it', () => {
  test('a pause, a failed trial and the end of the pause are logged; giving up resolves with the reason', async () => {
    const logged: string[] = [];
    const logger = {
      warn: (m: string) => logged.push(`warn: ${m}`),
      info: (m: string) => logged.push(`info: ${m}`),
    };
    const settings = {
      tripAfterFailures: 2,
      tripAfterMs: 1000,
      firstWaitMs: 2000,
      maxWaitMs: 60_000,
      giveUpAfterMs: 300_000,
    };
    const clock = manualClock();
    const watch = new OutageWatch(OPTIONS, logger as never, settings, clock);
    const { circuit } = watch;
    /** Wait for the trial, then say how it went. */
    const trial = async (health: 'up' | 'down', cause: string) => {
      const passed = circuit.pass();
      while ((await settled(passed)) === 'pending') clock.advance(500);
      expect(await passed).toBe(true);
      circuit.record(health, cause, true);
    };
    circuit.record('up', 'HTTP 204', false);
    circuit.record('down', 'HTTP 503', false);
    clock.advance(1000);
    circuit.record('down', 'HTTP 503', false);
    await trial('down', 'ECONNREFUSED');
    await trial('up', 'HTTP 204');
    expect(logged).toEqual([
      'warn: the API at https://api.example.com failed every request for 1 s (last: HTTP 503): pausing all requests; ' +
        'trying one again in 2 s, giving up after 5 min',
      'warn: the API at https://api.example.com is still failing after 3 s (ECONNREFUSED): trying again in 4 s',
      'info: the API at https://api.example.com answers again (HTTP 204) after 7 s: resuming the requests',
    ]);
    circuit.record('down', 'HTTP 502', false);
    clock.advance(1000);
    circuit.record('down', 'HTTP 502', false);
    // Trials after 2, 4, 8, 16, 32 s, then every minute up to the bound.
    let trials = 0;
    while (clock.timers() > 0 && trials++ < 20) await trial('down', 'HTTP 502');
    expect(trials).toBe(9);
    expect(logged.at(-1)).toBe(
      'warn: the API at https://api.example.com is still failing after 4 min 3 s (HTTP 502): trying again in 57 s',
    );
    expect(await watch.gaveUp).toBe(
      'the API at https://api.example.com has failed every request for 5 min (last: HTTP 502) after answering ' +
        'earlier in the run: it is down; run again later with --resume',
    );
  });
});

describe('duration', () => {
  test('seconds, then minutes and seconds', () => {
    expect([0, 1499, 2000, 59_499, 60_000, 302_000, 3_600_000].map(duration)).toEqual([
      '0 s',
      '1 s',
      '2 s',
      '59 s',
      '1 min',
      '5 min 2 s',
      '60 min',
    ]);
  });
});
