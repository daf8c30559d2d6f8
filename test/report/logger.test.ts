import { describe, expect, test } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { closeLogger, createLogger } from '../../src/report/logger.js';
import { tempDir } from '../helpers/files.js';

/** A logger at debug level writing to a captured stderr and to a log file in `format`. */
async function logged(format: 'text' | 'json', log: (logger: ReturnType<typeof createLogger>) => void) {
  const file = path.join(await tempDir(), 'run.log');
  const stderr = new PassThrough();
  let shown = '';
  stderr.setEncoding('utf8').on('data', (d: string) => (shown += d));
  const logger = createLogger({ level: 'debug', stderr, file, fileFormat: format });
  log(logger);
  await closeLogger(logger);
  return { stderr: shown, file: await readFile(file, 'utf8') };
}

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;

describe('logger', () => {
  test('a text log file has an ISO time stamp on every line; stderr, read live, has none', async () => {
    const { stderr, file } = await logged('text', (logger) => {
      logger.info('first');
      logger.warn('second');
    });
    const lines = file.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${ISO} info: first$`));
    expect(lines[1]).toMatch(new RegExp(`^${ISO} warn: second$`));
    expect(stderr).toBe('info: first\nwarn: second\n');
  });

  test('a text line shows only the fields that are set, never key=undefined', async () => {
    const { stderr, file } = await logged('text', (logger) =>
      logger.debug('line 2: success', { line: 2, kept: undefined, problem: undefined, ok: true }),
    );
    expect(stderr).toBe('debug: line 2: success (line=2 ok=true)\n');
    expect(file).toMatch(new RegExp(`^${ISO} debug: line 2: success \\(line=2 ok=true\\)\\n$`));
    const bare = await logged('text', (logger) => logger.debug('nothing more', { kept: undefined }));
    expect(bare.stderr).toBe('debug: nothing more\n');
  });

  test('a JSON log file keeps its time stamp field and leaves unset fields out', async () => {
    const { file } = await logged('json', (logger) => logger.info('hello', { line: 3, kept: undefined }));
    const entry = JSON.parse(file) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', message: 'hello', line: 3 });
    expect(entry).not.toHaveProperty('kept');
    expect(String(entry.timestamp)).toMatch(new RegExp(`^${ISO}$`));
  });
});
