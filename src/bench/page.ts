/**
 * The page's figure (scenario 9): a 100,000-row upload reaches the check step within 5 s, at most
 * 200 MB. The built CLI's `serve` runs as its own process; the file is posted as the page posts
 * it (multipart), and the time is from the first byte sent to the check's answer (the upload's
 * answer is the check: the preflight's findings and the dry run's table of rows). Peak RSS is the
 * server process's high-water mark (VmHWM) read once the check has answered.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { openAsBlob, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { inputFile } from './files.js';
import type { Outcome, Scenario } from './outcome.js';

const SECONDS = 5;
const PEAK_MB = 200;

/** VmHWM (peak resident set) of `pid` in MB, and its CPU time (utime + stime) in ms. */
function peakAndCpu(pid: number): { peakRssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { peakRssMb: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024, cpuMs: ticks * 10 };
}

/** Start `serve` from `dist`; resolves to the process and its printed link. */
async function startServe(dist: string, dataDir: string) {
  const child = spawn(
    process.execPath,
    [path.join(dist, 'bin.js'), 'serve', '--port', '0', '--data-dir', dataDir],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        CLOUDCOCKPIT_TENANT: 'portal.cloudcockpit.com',
        CLOUDCOCKPIT_TOKEN: 'bench',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const found = /(http:\/\/\S+\/\?token=\S+)/.exec(stderr)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', () => reject(new Error(`serve exited before it was ready: ${stderr}`)));
  });
  return { child, url };
}

/** The page's figure: a big upload to the check step. */
export const pageCheck: Scenario = {
  id: 8,
  name: 'page upload to check',
  async run(ctx): Promise<Outcome> {
    const rows = ctx.quick ? 10_000 : 100_000;
    const file = await inputFile(ctx.workDir, rows);
    const { child, url } = await startServe(ctx.dist, await mkdtemp(path.join(ctx.workDir, 'page-')));
    try {
      const login = await fetch(url, { redirect: 'manual' });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const origin = new URL(url).origin;
      const form = new FormData();
      form.append('file', await openAsBlob(file), path.basename(file));
      ctx.progress(`uploading ${rows} rows to the page`);
      const started = performance.now();
      const answer = await fetch(`${origin}/api/uploads`, {
        method: 'POST',
        headers: { cookie, origin },
        body: form,
      });
      const check = (await answer.json()) as { rows?: number; invalid?: number; error?: string };
      const seconds = (performance.now() - started) / 1000;
      const { peakRssMb, cpuMs } = peakAndCpu(child.pid as number);
      const checks = [
        { label: `check step after ${seconds.toFixed(2)} s <= ${SECONDS} s`, passed: seconds <= SECONDS },
        { label: `peak RSS ${peakRssMb.toFixed(1)} MB <= ${PEAK_MB} MB`, passed: peakRssMb <= PEAK_MB },
        {
          label: check.error ?? `check found ${check.rows} rows, ${check.invalid} invalid`,
          passed: answer.status === 200 && check.rows === rows && check.invalid === 0,
        },
      ];
      return {
        id: this.id,
        name: this.name,
        rows,
        seconds,
        rowsPerSecond: rows / seconds,
        limitRowsPerSecond: undefined,
        efficiencyPercent: undefined,
        peakRssMb,
        cpuMsPerRow: cpuMs / rows,
        otherCpuPercent: 0,
        passed: checks.every((c) => c.passed),
        checks,
        details: { status: answer.status, check },
      };
    } finally {
      child.kill('SIGTERM');
      await once(child, 'close');
    }
  },
};
