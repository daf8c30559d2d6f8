/* global document, window */
/**
 * The page: four steps (upload, check, run, results) and the past runs. On opening it asks the
 * server whether a run is going, so a page closed and opened again mid-run shows that run.
 */
import { api, uploadFile } from './api.js';
import { showCheck, showRefusedSheet, wireTable } from './check.js';
import { byId, notice } from './dom.js';
import { resetPlan, wirePlan } from './plan.js';
import { showPastRuns, showResults } from './results.js';
import { confirmRun, showRunName, startRun, stopWatching, watchRun, wireCancel } from './run.js';

const STEPS = ['upload', 'check', 'run', 'results'];
const state = { config: undefined, report: undefined, runId: undefined };

/** Show step `step` alone, marked in the list of steps, its heading focused for screen readers. */
function goTo(step) {
  for (const name of STEPS) byId(`step-${name}`).hidden = name !== step;
  for (const item of document.querySelectorAll('.steps li')) {
    if (item.dataset.step === step) item.setAttribute('aria-current', 'step');
    else item.removeAttribute('aria-current');
  }
  if (step !== 'run') stopWatching();
}

/** Upload `file` and show its check. */
async function upload(file) {
  notice();
  const progress = byId('upload-progress');
  progress.hidden = false;
  try {
    state.report = await uploadFile(file, (percent) => (byId('upload-bar').value = percent));
    resetPlan(state.report.id);
    goTo('check');
    await showCheck(state.report, chooseSheet);
  } catch (error) {
    if (error.body?.sheets) return refusedSheet(error.body);
    notice(error.message);
  } finally {
    progress.hidden = true;
    byId('file').value = '';
  }
}

/** A workbook whose sheet was refused: offer its other sheets. */
function refusedSheet(refused) {
  state.report = { id: refused.id };
  goTo('check');
  showRefusedSheet(refused, chooseSheet);
}

/** Check the workbook again with another sheet. */
async function chooseSheet(sheet) {
  notice();
  try {
    state.report = await api(`/api/uploads/${state.report.id}/sheet`, { method: 'POST', body: { sheet } });
    resetPlan(state.report.id);
    await showCheck(state.report, chooseSheet);
  } catch (error) {
    if (error.body?.sheets) return refusedSheet(error.body);
    notice(error.message);
  }
}

/** Watch run `id` (named `name`) in step 3, then show its results. */
function follow(id, name, kind) {
  state.runId = id;
  showRunName(name, kind, state.config.tenant);
  goTo('run');
  watchRun(id, (snapshot) => {
    showResults(snapshot);
    goTo('results');
    void refreshPast();
  });
  void refreshPast();
}

/** Confirm, then run the checked file. */
async function run() {
  if (!(await confirmRun(state.report, state.config.tenant))) return;
  try {
    const snapshot = await startRun(state.report);
    follow(snapshot.id, state.report.name, state.report.kind);
  } catch (error) {
    notice(error.message);
  }
}

/** Resume a past run that was stopped. */
async function resume(past) {
  try {
    await api(`/api/runs/${past.id}/resume`, { method: 'POST' });
    follow(past.id, past.name, past.kind);
  } catch (error) {
    notice(error.message);
  }
}

/** Show a past run: its progress if it goes, else its results. */
async function open(past) {
  if (past.state === 'running') return follow(past.id, past.name, past.kind);
  showResults(await api(`/api/runs/${past.id}`));
  goTo('results');
}

function refreshPast() {
  return showPastRuns(resume, open);
}

/** Drag and drop, and the file picker. */
function wireUpload() {
  const drop = byId('drop');
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const [file] = event.dataTransfer.files;
    if (file) void upload(file);
  });
  byId('file').addEventListener('change', () => {
    const [file] = byId('file').files;
    if (file) void upload(file);
  });
}

async function start() {
  wireUpload();
  wireTable();
  wirePlan();
  wireCancel(() => state.runId);
  byId('to-run').addEventListener('click', () => void run());
  for (const id of ['again', 'new-file']) byId(id).addEventListener('click', () => goTo('upload'));
  state.config = await api('/api/config');
  byId('tenant').textContent = `Portal: ${state.config.tenant}`;
  byId('limits').textContent = `Files up to ${state.config.maxUploadMb} MB.`;
  const runs = await refreshPast();
  const going = runs.find((r) => r.id === state.config.running);
  if (going) follow(going.id, going.name, going.kind);
  else goTo('upload');
}

window.addEventListener('DOMContentLoaded', () => {
  start().catch((error) => notice(error.message));
});
