import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  judgeOwner,
  ownerHere,
  parseOwner,
  realVantage,
  STALE_MS,
  startTicksIn,
  type LockOwner,
  type Vantage,
} from '../../src/results/lock-owner.js';

/** A machine with boot `b1`, in pid namespace `ns1`, where only the processes in `running` exist. */
function machine(running: Record<number, string>, over: Partial<Vantage> = {}): Vantage {
  return {
    pid: 100,
    host: 'here',
    bootId: 'b1',
    pidNamespace: 'ns1',
    startTicksOf: (pid) => running[pid],
    exists: (pid) => pid in running,
    ...over,
  };
}

const owner = (over: Partial<LockOwner> = {}): LockOwner => ({
  pid: 42,
  host: 'here',
  started: 'then',
  bootId: 'b1',
  startTicks: '5000',
  pidNamespace: 'ns1',
  ...over,
});

describe('a lock owner', () => {
  test('is read from field 22 of /proc/<pid>/stat, whatever the command name holds', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[19] = '987654';
    expect(startTicksIn(`77 (we ird) (name) ${fields.join(' ')}`)).toBe('987654');
  });

  test('this process records its boot, start time and pid namespace (Linux)', () => {
    const me = ownerHere();
    expect(me.pid).toBe(process.pid);
    expect(me.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(me.startTicks).toBe(startTicksIn(readFileSync('/proc/self/stat', 'utf8')));
    expect(me.pidNamespace).toMatch(/^pid:\[\d+\]$/);
    expect(judgeOwner(me, 0, realVantage())).toEqual({ state: 'alive', where: 'here' });
    expect(parseOwner(JSON.stringify(me))).toEqual(me);
  });

  test('is running while its process id has the start time it recorded', () => {
    expect(judgeOwner(owner(), 0, machine({ 42: '5000' }))).toEqual({ state: 'alive', where: 'here' });
  });

  test('is gone when its process id now belongs to a process started at another time', () => {
    expect(judgeOwner(owner(), 0, machine({ 42: '9999' }))).toEqual({
      state: 'gone',
      why: 'process id 42 now belongs to another process',
    });
  });

  test('is gone when its process id is not running', () => {
    expect(judgeOwner(owner(), 0, machine({}))).toEqual({
      state: 'gone',
      why: 'process 42 is no longer running',
    });
  });

  test('in a container renamed since, is judged by boot, pid and start time, not by its host name', () => {
    const lastNight = owner({ host: 'container-1f3a', pid: 1, startTicks: '300' });
    const tonight = machine({ 1: '88000' }, { host: 'container-9c2e', pid: 1 });
    expect(judgeOwner(lastNight, 20 * 3600_000, tonight).state).toBe('gone');
    expect(judgeOwner(lastNight, 0, tonight).state).toBe('gone');
  });

  test('from a boot since ended is gone: on this host at once, under another name once not refreshed', () => {
    const before = owner({ bootId: 'b0' });
    expect(judgeOwner(before, 0, machine({ 42: '5000' }))).toEqual({
      state: 'gone',
      why: 'this machine has restarted since',
    });
    const elsewhere = owner({ bootId: 'b0', host: 'other' });
    expect(judgeOwner(elsewhere, 60_000, machine({}))).toEqual({
      state: 'unknown',
      why: 'it was refreshed 60 s ago',
    });
    expect(judgeOwner(elsewhere, STALE_MS + 60_000, machine({}))).toEqual({
      state: 'gone',
      why: 'it has not been refreshed for 6 min',
    });
  });

  test('in another container of this machine is alive while it refreshes its lock', () => {
    const neighbour = owner({ pidNamespace: 'ns2', host: 'box-2' });
    expect(judgeOwner(neighbour, 1000, machine({}))).toEqual({ state: 'alive', where: 'container' });
    expect(judgeOwner(neighbour, STALE_MS + 1, machine({})).state).toBe('gone');
  });

  test('without a boot id (an earlier version, another system) is judged by host and process id', () => {
    const old = { pid: 42, host: 'here', started: 'then' };
    expect(judgeOwner(old, 0, machine({ 42: '1' })).state).toBe('alive');
    expect(judgeOwner(old, 0, machine({})).state).toBe('gone');
    expect(judgeOwner({ ...old, pid: 100 }, 0, machine({ 100: '1' })).state).toBe('gone');
    expect(judgeOwner({ ...old, host: 'other' }, 0, machine({}))).toEqual({
      state: 'unknown',
      why: 'it cannot be checked from here',
    });
  });

  test('without /proc to read, a process that exists is taken as running', () => {
    const blind = machine({}, { startTicksOf: () => null, exists: (pid) => pid === 42 });
    expect(judgeOwner(owner(), 0, blind).state).toBe('alive');
    expect(judgeOwner(owner({ pid: 43 }), 0, blind).state).toBe('gone');
  });

  test('a lock file that is not an owner record reads as none', () => {
    expect(parseOwner('')).toBeUndefined();
    expect(parseOwner('{"pid":"1","host":"h"}')).toBeUndefined();
  });
});
