/* global EventSource, setTimeout, clearTimeout */
/**
 * Step 3, the run: a confirmation that says what will happen, then live progress from the
 * server's event stream (which replays what a reconnecting page missed), or by polling where an
 * event stream cannot stay open; and the cancel button.
 */
import { api } from './api.js';
import { byId, count, duration, el, facts, kindWords, notice, STATUS_WORDS } from './dom.js';

const POLL_MS = 1000;
/** Errors in a row before the page stops waiting for the event stream and polls instead. */
const STREAM_FAILURES = 3;

let watching;

/** Ask before running: "Change 1,204 PO numbers in portal.contoso.com". Resolves to yes or no. */
export function confirmRun(report, tenant) {
  const dialog = byId('confirm');
  byId('confirm-text').textContent =
    `Change ${count(report.valid)} ${kindWords(report.kind)} in ${tenant}.` +
    (report.invalid > 0 ? ` The ${count(report.invalid)} invalid rows are not sent.` : '') +
    ' This cannot be undone from this page.';
  return new Promise((resolve) => {
    const answer = (yes) => {
      dialog.close();
      resolve(yes);
    };
    byId('confirm-yes').onclick = () => answer(true);
    byId('confirm-no').onclick = () => answer(false);
    dialog.oncancel = () => resolve(false);
    dialog.showModal();
    byId('confirm-no').focus();
  });
}

/** Draw a snapshot of the run. */
function draw(snapshot) {
  const bar = byId('run-bar');
  bar.max = Math.max(1, snapshot.total);
  bar.value = snapshot.done;
  const percent = snapshot.total > 0 ? Math.floor((snapshot.done / snapshot.total) * 100) : 100;
  byId('run-line').textContent =
    `${count(snapshot.done)} of ${count(snapshot.total)} rows (${percent}%), ` +
    `${snapshot.rowsPerSecond.toFixed(1)} rows per second, about ${duration(snapshot.secondsLeft)} left`;
  facts(
    byId('run-counts'),
    ['success', 'failed', 'invalid', 'not_attempted'].map((s) => [
      STATUS_WORDS[s],
      count(snapshot.counts[s]),
    ]),
  );
  byId('run-failures').replaceChildren(
    ...(snapshot.failures.length === 0
      ? [el('li', { class: 'muted' }, 'None so far.')]
      : snapshot.failures.map((f) => el('li', {}, `Row ${f.line}: ${f.reason}`))),
  );
}

/** Stop watching the run (its page is left). */
export function stopWatching() {
  watching?.stop();
  watching = undefined;
}

/** Follow run `id` by polling its snapshot until it ends. */
function poll(id, onEnd) {
  let timer;
  let stopped = false;
  const tick = async () => {
    try {
      const snapshot = await api(`/api/runs/${id}`);
      draw(snapshot);
      if (snapshot.summary) return onEnd(snapshot);
    } catch (error) {
      notice(error.message);
    }
    if (!stopped) timer = setTimeout(tick, POLL_MS);
  };
  void tick();
  return { mode: 'polling', stop: () => ((stopped = true), clearTimeout(timer)) };
}

/** Follow run `id` through its event stream, falling back to polling; `onEnd` gets the last snapshot. */
export function watchRun(id, onEnd) {
  stopWatching();
  byId('cancel').disabled = false;
  if (typeof EventSource === 'undefined') return (watching = poll(id, onEnd));
  const source = new EventSource(`/api/runs/${id}/events`);
  let failures = 0;
  let latest;
  const finish = (snapshot) => {
    source.close();
    watching = undefined;
    onEnd(snapshot);
  };
  source.addEventListener('open', () => (failures = 0));
  source.addEventListener('progress', (event) => {
    latest = JSON.parse(event.data);
    draw(latest);
  });
  source.addEventListener('failure', (event) => {
    if (!latest) return;
    latest.failures = [...latest.failures, JSON.parse(event.data)].slice(-10);
    draw(latest);
  });
  source.addEventListener('end', (event) => {
    const snapshot = JSON.parse(event.data);
    draw(snapshot);
    finish(snapshot);
  });
  source.addEventListener('error', () => {
    failures++;
    if (failures < STREAM_FAILURES) return;
    source.close();
    watching = poll(id, onEnd);
  });
  watching = { mode: 'events', stop: () => source.close() };
  return watching;
}

/** Start the run of checked upload `report`, after the person confirmed. */
export async function startRun(report) {
  return api('/api/runs', { method: 'POST', body: { id: report.id } });
}

/** Wire the cancel button for run `currentId()`. */
export function wireCancel(currentId) {
  byId('cancel').addEventListener('click', async () => {
    byId('cancel').disabled = true;
    byId('run-line').textContent = 'Cancelling: the rows being sent are finished, the rest are not sent…';
    try {
      await api(`/api/runs/${currentId()}/cancel`, { method: 'POST' });
    } catch (error) {
      notice(error.message);
    }
  });
}

/** The run's title line. */
export function showRunName(name, kind, tenant) {
  byId('run-name').textContent = `${name}: ${kindWords(kind)} in ${tenant}`;
}
