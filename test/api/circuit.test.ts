/**
 * The circuit breaker on a clock of its own: when it pauses, how its trials go out, how the waits
 * grow, and when it gives up (issue 16, item 5).
 */
import { describe, expect, test } from '@jest/globals';
import { Circuit, type OutageInfo } from '../../src/api/circuit.js';
import { manualClock, settled } from '../helpers/manual-clock.js';

const SETTINGS = {
  tripAfterFailures: 5,
  tripAfterMs: 2000,
  firstWaitMs: 2000,
  maxWaitMs: 8000,
  giveUpAfterMs: 30_000,
};

/** A breaker whose events are written down as `event downMs waitMs cause`. */
function setup(settings = SETTINGS) {
  const clock = manualClock();
  const told: string[] = [];
  const tell = (event: string) => (i: OutageInfo) => told.push(`${event} ${i.downMs} ${i.waitMs} ${i.cause}`);
  const circuit = new Circuit(
    settings,
    {
      paused: tell('paused'),
      stillDown: tell('stillDown'),
      resumed: tell('resumed'),
      gaveUp: tell('gaveUp'),
    },
    clock,
  );
  /** `count` failures, `everyMs` apart; returns what record said of each. */
  const fail = (count: number, everyMs: number, cause = 'HTTP 503') =>
    Array.from({ length: count }, (_, i) => {
      if (i > 0) clock.advance(everyMs);
      return circuit.record('down', cause, false);
    });
  return { circuit, clock, told, fail };
}

describe('Circuit', () => {
  test('an API that never answered is not paused for, however long every request fails', () => {
    const { circuit, fail, told } = setup();
    expect(fail(50, 1000)).toEqual(Array(50).fill(false));
    expect(circuit.closed).toBe(true);
    expect(told).toEqual([]);
  });

  test('after an answer, five failures in a row over two seconds pause the requests; the fifth is forgiven', () => {
    const { circuit, fail, told } = setup();
    circuit.record('up', 'HTTP 204', false);
    expect(fail(5, 500)).toEqual([false, false, false, false, true]);
    expect(circuit.closed).toBe(false);
    expect(told).toEqual(['paused 2000 2000 HTTP 503']);
  });

  test('five quick failures are only retried: the pause waits until they have lasted two seconds', () => {
    const { circuit, fail, clock } = setup();
    circuit.record('up', 'HTTP 204', false);
    expect(fail(8, 100)).toEqual(Array(8).fill(false));
    expect(circuit.closed).toBe(true);
    clock.advance(1300);
    expect(circuit.record('down', 'ECONNREFUSED', false)).toBe(true);
    expect(circuit.closed).toBe(false);
  });

  test('one good answer among the failures starts the count again', () => {
    const { circuit, fail } = setup();
    circuit.record('up', 'HTTP 204', false);
    fail(4, 1000);
    circuit.record('up', 'HTTP 404', false);
    expect(fail(4, 1000)).toEqual([false, false, false, false]);
    expect(circuit.closed).toBe(true);
  });

  test('while paused, attempts wait; after the wait one goes out as the trial and the others keep waiting', async () => {
    const { circuit, fail, clock } = setup();
    circuit.record('up', 'HTTP 204', false);
    fail(5, 500);
    const first = circuit.pass();
    const second = circuit.pass();
    expect(await settled(first)).toBe('pending');
    clock.advance(1999);
    expect(await settled(first)).toBe('pending');
    clock.advance(1);
    expect(await settled(first)).toEqual({ value: true });
    expect(await settled(second)).toBe('pending');
    // A third comes while the trial is out: it waits too.
    expect(await settled(circuit.pass())).toBe('pending');
  });

  test('a trial that gets an answer ends the pause: every waiting attempt goes, and new ones pass at once', async () => {
    const { circuit, fail, clock, told } = setup();
    circuit.record('up', 'HTTP 204', false);
    fail(5, 500);
    const waiting = [circuit.pass(), circuit.pass(), circuit.pass()];
    clock.advance(2000);
    circuit.record('up', 'HTTP 204', true);
    expect(await Promise.all(waiting)).toEqual([true, false, false]);
    expect(circuit.closed).toBe(true);
    expect(await settled(circuit.pass())).toEqual({ value: false });
    expect(told).toEqual(['paused 2000 2000 HTTP 503', 'resumed 4000 0 HTTP 204']);
  });

  test('each failed trial doubles the wait up to its ceiling, and the failures while paused are forgiven', async () => {
    const { circuit, fail, clock, told } = setup();
    circuit.record('up', 'HTTP 204', false);
    fail(5, 500);
    for (const wait of [2000, 4000, 8000, 8000]) {
      const trial = circuit.pass();
      clock.advance(wait);
      expect(await trial).toBe(true);
      // A failure of an attempt sent before the pause is the outage's, but not the trial's.
      expect(circuit.record('down', 'HTTP 500', false)).toBe(true);
      expect(circuit.record('down', 'ECONNREFUSED', true)).toBe(true);
    }
    expect(told).toEqual([
      'paused 2000 2000 HTTP 503',
      'stillDown 4000 4000 ECONNREFUSED',
      'stillDown 8000 8000 ECONNREFUSED',
      'stillDown 16000 8000 ECONNREFUSED',
      'stillDown 24000 6000 ECONNREFUSED',
    ]);
  });

  test('the last trial goes out at the bound; when it fails too, the breaker gives up and lets nothing out until released', async () => {
    const { circuit, fail, clock, told } = setup();
    circuit.record('up', 'HTTP 204', false);
    fail(5, 500);
    let trials = 0;
    while (!told.some((t) => t.startsWith('gaveUp'))) {
      const trial = circuit.pass();
      while ((await settled(trial)) === 'pending') clock.advance(500);
      trials++;
      circuit.record('down', 'ECONNREFUSED', true);
    }
    // Trials at 4, 8, 16, 24 and 30 s after the first failure: 2 + 4 + 8 + 8 + 6 s of waits.
    expect(trials).toBe(5);
    expect(told.at(-1)).toBe('gaveUp 30000 0 ECONNREFUSED');
    expect(clock.timers()).toBe(0);
    const after = circuit.pass();
    clock.advance(60_000);
    expect(await settled(after)).toBe('pending');
    circuit.release();
    expect(await settled(after)).toEqual({ value: false });
    expect(await settled(circuit.pass())).toEqual({ value: false });
  });

  test('a trial due while no attempt waits goes to the next attempt that comes', async () => {
    const { circuit, fail, clock } = setup();
    circuit.record('up', 'HTTP 204', false);
    fail(5, 500);
    clock.advance(2000);
    expect(await settled(circuit.pass())).toEqual({ value: true });
    expect(await settled(circuit.pass())).toBe('pending');
  });

  test('released while paused (the run stops), every waiting attempt goes and the timer is gone', async () => {
    const { circuit, fail, clock } = setup();
    circuit.record('up', 'HTTP 204', false);
    fail(5, 500);
    const waiting = circuit.pass();
    circuit.release();
    expect(await settled(waiting)).toEqual({ value: false });
    expect(clock.timers()).toBe(0);
    expect(circuit.closed).toBe(true);
    expect(circuit.record('down', 'HTTP 503', false)).toBe(false);
  });
});
