/**
 * `cloudcockpit-bulk serve` on the command line: its flags are checked like the others (one line,
 * exit 2), it binds to loopback unless given another address, warns when it is, refuses a
 * wildcard address, and stops cleanly on SIGTERM.
 */
import { describe, expect, test } from '@jest/globals';
import os from 'node:os';
import { parseCommandLine } from '../../src/cli/parser.js';
import { isLoopback } from '../../src/cli/serve-command.js';
import { runCli, simEnv } from '../helpers/cli.js';
import { tempDir } from '../helpers/files.js';
import { startServe } from '../helpers/web.js';

const env = simEnv('http://127.0.0.1:9');

describe('serve on the command line', () => {
  test.each([
    [['--port', 'abc'], 'Expected `--port` to be an integer from 0 to 65535, got `abc`'],
    [['--max-upload-mb', '0'], 'Expected `--max-upload-mb` to be a number from 1 to 4096, got `0`'],
    [['--port', '1', '--port', '2'], '`--port` is given twice with different values'],
    [['--out', 'x.csv'], 'Unknown argument: out'],
    [['--host', '0.0.0.0'], '`--host 0.0.0.0` listens on every address'],
  ])('serve %j is a usage error: %s', async (args, message) => {
    const run = await runCli(['serve', ...args], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a near miss is told the command it likely meant', async () => {
    expect(await parseCommandLine(['serv'])).toEqual({
      usageError: 'Unknown command `serv`: did you mean `serve`?',
    });
  });

  test('without a tenant it says what is missing, as a run does', async () => {
    const run = await runCli(['serve'], { CLOUDCOCKPIT_TOKEN: 'x' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Missing `--tenant`');
  });

  test('its help lists its own flags', async () => {
    const run = await runCli(['serve', '--help'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--max-upload-mb');
    expect(run.stdout).not.toContain('--out');
  });

  test('it listens on 127.0.0.1 by default, prints the link with the token, and exits 0 on SIGTERM', async () => {
    const serve = await startServe(['--data-dir', await tempDir()], env);
    expect(new URL(serve.url).hostname).toBe('127.0.0.1');
    expect(new URL(serve.url).searchParams.get('token')).toMatch(/^[\w-]{32}$/);
    expect(serve.stderr()).not.toContain('warning');
    expect(await serve.stop('SIGTERM')).toBe(0);
  });

  test('another address is only taken when given, with a warning', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
    const host = external ?? '127.0.0.1';
    const serve = await startServe(['--data-dir', await tempDir(), '--host', host], env);
    expect(new URL(serve.url).hostname).toBe(host);
    if (external !== undefined)
      expect(serve.stderr()).toContain(`warning: --host ${host} makes the page reachable`);
    await serve.stop();
  });

  test('loopback is 127.0.0.0/8, ::1 and localhost; nothing else', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(
      ['0.0.0.0', '192.168.1.20', '10.0.0.1', '::', 'example.com', '127.0.0.1.example.com'].map(isLoopback),
    ).toEqual([false, false, false, false, false, false]);
  });
});
