import { describe, expect, test } from '@jest/globals';
import { OutputError } from '../../src/errors.js';
import { cannotCreate } from '../../src/results/cannot-create.js';

const failure = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });

describe('cannotCreate', () => {
  test('a folder that is not writable is named, with --out as the way out', () => {
    for (const code of ['EACCES', 'EPERM', 'EROFS']) {
      const error = cannotCreate('the lock file', '/in/orders.results.csv.lock', failure(code));
      expect(error).toBeInstanceOf(OutputError);
      expect(error.exitCode).toBe(2);
      expect(error.message).toBe(
        `Cannot create the lock file /in/orders.results.csv.lock: the folder /in is not writable (${code}); ` +
          'nothing was sent. Write the results to a folder you can write to, with --out',
      );
    }
  });

  test('a folder that does not exist is named too', () => {
    expect(cannotCreate('the results file', '/no/such/r.csv', failure('ENOENT')).message).toBe(
      'Cannot create the results file /no/such/r.csv: the folder /no/such does not exist (ENOENT); ' +
        'nothing was sent. Create it, or write the results elsewhere with --out',
    );
  });

  test('any other cause is given by its code, or its text when it has none', () => {
    expect(cannotCreate('the results file', '/r.csv', failure('EMFILE')).message).toBe(
      'Cannot create the results file /r.csv (EMFILE); nothing was sent',
    );
    expect(cannotCreate('the results file', '/r.csv', 'odd').message).toBe(
      'Cannot create the results file /r.csv (odd); nothing was sent',
    );
  });
});
