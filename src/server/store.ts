/**
 * The server's data folder: one folder per upload (its input, the check's dry-run results, the
 * run's results file) and a small index of them, so past runs are listed after a restart. Folder
 * names are random ids made here; an uploaded file's own name is only ever shown, never a path.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InputFormat } from '../input/reader.js';
import type { KindName } from '../kinds.js';
import type { RowStatus } from '../result.js';

/** Where an upload stands: checked only, running, done, or stopped by a crash of the server. */
export type JobState = 'checked' | 'running' | 'finished' | 'interrupted';

/** What the page is told at the end of a run (no paths, no secrets). */
export interface PageSummary {
  readonly exitCode: number;
  readonly counts: Readonly<Record<RowStatus, number>>;
  readonly rows: number;
  readonly durationMs: number;
  readonly stoppedBecause: string | undefined;
  readonly cancelled: boolean;
}

/** One upload and, once started, its run. */
export interface JobRecord {
  readonly id: string;
  /** The uploaded file's name, for display only. */
  readonly name: string;
  /** Told from the file's first bytes once it is uploaded, never from its name. */
  container: 'csv' | 'xlsx';
  readonly createdAt: string;
  kind?: KindName | undefined;
  sheet?: string | undefined;
  rows?: number | undefined;
  /** How the input was read, for the downloads in its own columns. */
  format?: InputFormat | undefined;
  state: JobState;
  startedAt?: string | undefined;
  summary?: PageSummary | undefined;
}

const ID = /^[a-f0-9]{24}$/;

/** The jobs of one data folder, kept in `index.json` beside their folders. */
export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(readonly dir: string) {}

  /** Open the data folder; runs a crash left `running` are `interrupted` (resumable) now. */
  static async open(dir: string): Promise<JobStore> {
    const store = new JobStore(path.resolve(dir));
    await mkdir(path.join(store.dir, 'jobs'), { recursive: true, mode: 0o700 });
    const text = await readFile(store.indexPath, 'utf8').catch(() => '[]');
    let records: JobRecord[] = [];
    try {
      records = JSON.parse(text) as JobRecord[];
    } catch {
      // A damaged index loses the list, not the files: they stay in their folders.
    }
    for (const record of records) {
      if (!ID.test(record.id)) continue;
      if (record.state === 'running') record.state = 'interrupted';
      store.jobs.set(record.id, record);
    }
    await store.save();
    return store;
  }

  private get indexPath(): string {
    return path.join(this.dir, 'index.json');
  }

  /** A new job for an upload named `name`, with its own empty folder. */
  async create(name: string): Promise<JobRecord> {
    const id = randomBytes(12).toString('hex');
    await mkdir(this.folder(id), { mode: 0o700 });
    const record: JobRecord = {
      id,
      name,
      container: 'csv',
      createdAt: new Date().toISOString(),
      state: 'checked',
    };
    this.jobs.set(id, record);
    return record;
  }

  /** The job with this id, if any (an id that is not one of ours never reaches the disk). */
  get(id: string): JobRecord | undefined {
    return ID.test(id) ? this.jobs.get(id) : undefined;
  }

  /** Jobs that were started, newest first. */
  runs(): JobRecord[] {
    return [...this.jobs.values()]
      .filter((j) => j.state !== 'checked')
      .sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
  }

  /** The folder of job `id`. */
  folder(id: string): string {
    return path.join(this.dir, 'jobs', id);
  }

  /** Where an upload is written as it arrives, before its container is known. */
  arrivingPath(job: JobRecord): string {
    return path.join(this.folder(job.id), 'upload.part');
  }

  /** Forget a job whose upload was refused, and remove its folder. */
  async discard(job: JobRecord): Promise<void> {
    this.jobs.delete(job.id);
    await rm(this.folder(job.id), { recursive: true, force: true });
  }

  /** The uploaded file, under a name of our own. */
  inputPath(job: JobRecord): string {
    return path.join(this.folder(job.id), `input.${job.container}`);
  }

  /** The check's dry-run results. */
  checkPath(job: JobRecord): string {
    return path.join(this.folder(job.id), 'check.results.csv');
  }

  /** The run's results file, as the CLI writes it. */
  resultsPath(job: JobRecord): string {
    return path.join(this.folder(job.id), 'results.csv');
  }

  /** Write the index (one write at a time; replaced by a rename, so a crash leaves the old or the new). */
  save(): Promise<void> {
    const records = [...this.jobs.values()].filter((j) => j.state !== 'checked');
    this.saving = this.saving.then(async () => {
      const temporary = `${this.indexPath}.tmp`;
      await writeFile(temporary, JSON.stringify(records, null, 1), { mode: 0o600 });
      await rename(temporary, this.indexPath);
    });
    return this.saving;
  }
}
