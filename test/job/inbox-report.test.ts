import { describe, expect, test } from '@jest/globals';
import { describeInbox, inboxExitCode, type InboxFile } from '../../src/job/inbox-report.js';
import type { RunSummary } from '../../src/report/summary.js';

const sentRows = (sent: number): RunSummary => ({ sent, counts: { success: sent } }) as unknown as RunSummary;

const processed = (exitCode: number, sent: number): InboxFile => ({
  name: 'sent.csv',
  outcome: 'processed',
  exitCode,
  summary: sentRows(sent),
});
const rejected: InboxFile = { name: 'bad.csv', outcome: 'rejected', exitCode: 2 };
const stopping: InboxFile = { name: 'auth.csv', outcome: 'left', exitCode: 2, message: 'refused' };
const waiting: InboxFile = { name: 'copying.csv', outcome: 'waiting', exitCode: undefined };

describe('the inbox exit code', () => {
  test('is the worst of its files', () => {
    expect(inboxExitCode([], undefined)).toBe(0);
    expect(inboxExitCode([processed(0, 3), processed(1, 2), waiting], undefined)).toBe(1);
  });

  test('is 2 when nothing was sent and a file was refused', () => {
    expect(inboxExitCode([rejected, waiting], undefined)).toBe(2);
    expect(inboxExitCode([processed(0, 0), stopping], undefined)).toBe(2);
  });

  test('is never 2 once a file sent rows: a refused file counts as 1, a file that stopped the inbox as 3', () => {
    expect(inboxExitCode([processed(0, 3), rejected], undefined)).toBe(1);
    expect(inboxExitCode([processed(0, 3), rejected, stopping], undefined)).toBe(3);
  });

  test('after a signal is 128 + its number', () => {
    expect(inboxExitCode([processed(0, 1)], 'SIGHUP')).toBe(129);
    expect(inboxExitCode([processed(0, 1)], 'SIGINT')).toBe(130);
    expect(inboxExitCode([processed(0, 1)], 'SIGTERM')).toBe(143);
  });
});

describe('the inbox report', () => {
  test('has a line of totals, then one per file with where it went and why', () => {
    const text = describeInbox(
      '/in',
      [
        { ...processed(0, 3), movedTo: '/in/processed/20260101-000000-sent.csv' },
        { ...waiting, message: 'modified 3 s ago; left for the next run' },
      ],
      0,
    );
    expect(text.split('\n')).toEqual([
      'inbox /in: 1 processed, 0 rejected, 0 left, 1 waiting; exit 0',
      '  sent.csv: processed (exit 0) -> processed/20260101-000000-sent.csv; 3 success',
      '  copying.csv: waiting; modified 3 s ago; left for the next run',
    ]);
    expect(describeInbox('/in', [], 0)).toBe('inbox /in: no .csv or .xlsx file to process');
  });
});
