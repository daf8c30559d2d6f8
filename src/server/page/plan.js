/* global setTimeout, clearTimeout */
/**
 * The plan on the check step: read each valid row's current value (nothing is changed), then how
 * many rows change, how many are already right, and a paged table of `current → new`.
 */
import { api } from './api.js';
import { byId, count, el, facts, notice } from './dom.js';

const PAGE_SIZE = 25;
const POLL_MS = 1000;
const plan = { id: undefined, offset: 0, timer: undefined };

/** Forget the plan shown (a new upload is being checked). */
export function resetPlan(id) {
  clearTimeout(plan.timer);
  plan.id = id;
  plan.offset = 0;
  byId('plan-start').disabled = false;
  byId('plan-line').textContent = '';
  byId('plan-facts').replaceChildren();
  byId('plan-table').hidden = true;
  byId('plan-pager').hidden = true;
}

/** Show where the plan stands; ask again while it is being read. */
async function follow() {
  try {
    const state = await api(`/api/uploads/${plan.id}/plan`);
    if (state.state === 'reading') {
      byId('plan-line').textContent =
        `Reading the current values: ${count(state.done)} of ${count(state.total)} rows…`;
      plan.timer = setTimeout(follow, POLL_MS);
      return;
    }
    byId('plan-start').disabled = false;
    if (state.state === 'refused') {
      byId('plan-line').textContent = `The current values could not be read: ${state.error}`;
      return;
    }
    // The table first: the line that says the plan is read comes with the rows it speaks of.
    await loadPlanRows();
    byId('plan-line').textContent = 'The current values were read.';
    facts(byId('plan-facts'), [
      ['Will change', count(state.counts.change)],
      ['Already right', count(state.counts.unchanged)],
      ['Could not be read', count(state.counts.failed)],
      ['Invalid (not sent)', count(state.counts.invalid)],
    ]);
  } catch (error) {
    notice(error.message);
  }
}

/** Load and show the current page of the rows that would change. */
async function loadPlanRows() {
  const page = await api(`/api/uploads/${plan.id}/plan/rows?offset=${plan.offset}&limit=${PAGE_SIZE}`);
  const table = byId('plan-table');
  const [ids, value] = [page.columns.slice(0, 2), page.columns[2]];
  const head = ['Row', ...ids, `Current ${value}`, `New ${value}`];
  table
    .querySelector('thead')
    .replaceChildren(el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))));
  table
    .querySelector('tbody')
    .replaceChildren(
      ...page.rows.map((row) =>
        el(
          'tr',
          {},
          el('td', {}, String(row.line)),
          ...row.values.slice(0, 2).map((v) => el('td', {}, v)),
          el('td', {}, row.previous === '' ? '(empty)' : row.previous),
          el('td', {}, `→ ${row.values[2]}`),
        ),
      ),
    );
  table.hidden = page.total === 0;
  const last = Math.min(plan.offset + PAGE_SIZE, page.total);
  byId('plan-pager').hidden = page.total <= PAGE_SIZE;
  byId('plan-page').textContent = `Rows ${count(plan.offset + 1)}–${count(last)} of ${count(page.total)}`;
  byId('plan-prev').disabled = plan.offset === 0;
  byId('plan-next').disabled = last >= page.total;
}

/** Wire the plan's controls once. */
export function wirePlan() {
  byId('plan-start').addEventListener('click', async () => {
    byId('plan-start').disabled = true;
    try {
      await api(`/api/uploads/${plan.id}/plan`, { method: 'POST' });
      await follow();
    } catch (error) {
      byId('plan-start').disabled = false;
      notice(error.message);
    }
  });
  byId('plan-prev').addEventListener('click', () => {
    plan.offset = Math.max(0, plan.offset - PAGE_SIZE);
    void loadPlanRows();
  });
  byId('plan-next').addEventListener('click', () => {
    plan.offset += PAGE_SIZE;
    void loadPlanRows();
  });
}
