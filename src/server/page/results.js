/**
 * Step 4, the results: what happened, the results file the CLI writes, the rows that need
 * attention in the file's own columns; and the list of past runs, with their files, where a run a
 * crash or a cancel stopped can be resumed.
 */
import { api } from './api.js';
import { byId, count, el, facts, kindWords, notice, STATUS_WORDS } from './dom.js';

/** One sentence for how a run ended. */
function outcome(summary) {
  if (!summary) return 'Running…';
  if (summary.stoppedBecause) return `Stopped: ${summary.stoppedBecause}.`;
  const attention = summary.counts.failed + summary.counts.invalid;
  return attention === 0
    ? `Done: all ${count(summary.counts.success)} rows were changed.`
    : `Done: ${count(summary.counts.success)} rows were changed; ${count(attention)} need attention.`;
}

/** Show the end of run `snapshot`. */
export function showResults(snapshot) {
  const { summary } = snapshot;
  byId('results-line').textContent = outcome(summary);
  facts(
    byId('results-counts'),
    ['success', 'failed', 'invalid', 'not_attempted'].map((s) => [
      STATUS_WORDS[s],
      count(summary?.counts[s]),
    ]),
  );
  byId('results-file').href = `/api/runs/${snapshot.id}/results.csv`;
  byId('attention-file').href = `/api/runs/${snapshot.id}/attention.xlsx`;
  const needs = summary ? summary.counts.failed + summary.counts.invalid + summary.counts.not_attempted : 0;
  byId('attention-file').hidden = needs === 0;
}

/** The state of a past run in words. */
function stateWords(run) {
  if (run.state === 'running') return 'Running now';
  if (run.state === 'interrupted') return 'Interrupted (the server stopped during the run)';
  return outcome(run.summary);
}

/** One past run's row of the list. */
function pastRow(run, onResume, onOpen) {
  const files = el('td', {});
  const open = el('button', { type: 'button', class: 'secondary' }, 'Show');
  open.addEventListener('click', () => onOpen(run));
  files.append(open, ' ', el('a', { href: `/api/runs/${run.id}/results.csv`, download: true }, 'Results'));
  if (run.resumable) {
    const resume = el('button', { type: 'button' }, 'Resume');
    resume.addEventListener('click', () => onResume(run));
    files.append(' ', resume);
  }
  const started = run.startedAt ? new Date(run.startedAt).toLocaleString() : '';
  return el(
    'tr',
    {},
    el('td', {}, started),
    el('td', {}, `${run.name} (${count(run.rows)} ${kindWords(run.kind)})`),
    el('td', {}, stateWords(run)),
    files,
  );
}

/** Load and show the past runs. */
export async function showPastRuns(onResume, onOpen) {
  try {
    const { runs } = await api('/api/runs');
    byId('past-empty').hidden = runs.length > 0;
    byId('past-runs').hidden = runs.length === 0;
    byId('past-runs').tBodies[0].replaceChildren(...runs.map((run) => pastRow(run, onResume, onOpen)));
    return runs;
  } catch (error) {
    notice(error.message);
    return [];
  }
}
