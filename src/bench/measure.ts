/**
 * Runs one child process and measures it from outside: wall time from spawn to exit, and peak RSS
 * and CPU time polled from /proc, so the numbers include everything the process does (startup,
 * GC threads, libuv pool) and the child needs no instrumentation of its own.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What one measured child did. */
export interface Measured {
  /** Exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When it was spawned, ms since the epoch (the simulator's clock: same machine). */
  readonly startedAt: number;
  /** Wall time from spawn to exit. */
  readonly seconds: number;
  /** The last VmHWM seen (peak resident set), in MB of 2^20 bytes. */
  readonly peakRssMb: number;
  /** The last utime + stime seen, in ms. */
  readonly cpuMs: number;
  /**
   * CPU time the rest of the machine used meanwhile (everything but the child, the `companions`
   * and this process), in % of one core: above a few percent, the figures are noisy.
   */
  readonly otherCpuPercent: number;
  readonly stdout: string;
  /** The tail of stderr (enough for a summary line or an error). */
  readonly stderr: string;
}

const POLL_MS = 50;
const STDERR_TAIL = 8192;

/** Children still running, so a signal to the benchmark can stop them instead of orphaning them. */
export const running = new Set<ChildProcess>();

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100; // the Linux default; getconf is only missing on very bare images
    }
  }
  return ticksPerSecond;
}

/** VmHWM in kB, or undefined once the process is gone (or became a zombie, which has no memory lines). */
function readPeakKb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** utime + stime in clock ticks for the whole thread group, or undefined once the process is gone. */
function readCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
  } catch {
    return undefined;
  }
}

/** Busy clock ticks of the whole machine so far, from the first line of /proc/stat. */
function readMachineTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Spawn `node args…` with exactly `env` and poll it until it exits. `companions` are processes
 * that belong to the measurement (the simulator), so their CPU time is not counted as noise.
 */
export function runMeasured(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  companions: readonly number[] = [],
): Promise<Measured> {
  const ticks = clockTicks();
  const companionTicks = () => companions.reduce((sum, pid) => sum + (readCpuTicks(pid) ?? 0), 0);
  const ownMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  return new Promise((resolve, reject) => {
    const before = { machine: readMachineTicks(), companions: companionTicks(), own: ownMs() };
    const started = performance.now();
    const startedAt = Date.now();
    const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const orphaned = () => child.kill('SIGKILL');
    process.once('exit', orphaned);
    child.once('exit', () => process.off('exit', orphaned));
    let peakKb = 0;
    let cpuTicks = 0;
    let stdout = '';
    let stderr = '';
    const poll = (): void => {
      if (child.pid === undefined) return;
      peakKb = readPeakKb(child.pid) ?? peakKb;
      cpuTicks = readCpuTicks(child.pid) ?? cpuTicks;
    };
    poll();
    const timer = setInterval(poll, POLL_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
    });
    let seconds = 0;
    let otherMs = 0;
    child.once('exit', () => {
      seconds = (performance.now() - started) / 1000;
      clearInterval(timer);
      const machineMs = ((readMachineTicks() - before.machine) * 1000) / ticks;
      const companionMs = ((companionTicks() - before.companions) * 1000) / ticks;
      otherMs = machineMs - (cpuTicks * 1000) / ticks - companionMs - (ownMs() - before.own);
    });
    child.once('error', (error) => {
      clearInterval(timer);
      running.delete(child);
      reject(error);
    });
    // 'close' comes after 'exit' once stdio is drained, so stdout is complete here.
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve({
        code,
        signal,
        startedAt,
        seconds,
        peakRssMb: peakKb / 1024,
        cpuMs: (cpuTicks * 1000) / ticks,
        otherCpuPercent: Math.max(0, otherMs / 10 / seconds),
        stdout,
        stderr,
      });
    });
  });
}
