/**
 * The plan's routes: start reading the current values of a checked upload, follow it, and page
 * through the rows that would change (`current → new`).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from './context.js';
import { readTablePage } from './rows-table.js';

type WithId = { Params: { id: string } };

/** The plan routes. */
export function planRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<WithId>('/api/uploads/:id/plan', async (request, reply) => {
    const job = ctx.store.get(request.params.id);
    if (job?.kind === undefined)
      return reply.code(404).send({ error: 'No such upload: upload the file again.' });
    if (ctx.runner.running)
      return reply.code(409).send({ error: 'A run is going: the plan can be read once it ends.' });
    if (!ctx.plans.start(job))
      return reply.code(409).send({ error: 'A plan is being read: wait for it to end.' });
    return reply.code(202).send(ctx.plans.state(job));
  });
  app.get<WithId>('/api/uploads/:id/plan', async (request, reply) => {
    const job = ctx.store.get(request.params.id);
    if (job?.kind === undefined)
      return reply.code(404).send({ error: 'No such upload: upload the file again.' });
    return reply.send(ctx.plans.state(job));
  });
  app.get<WithId & { Querystring: { offset?: string; limit?: string } }>(
    '/api/uploads/:id/plan/rows',
    async (request, reply) => {
      const job = ctx.store.get(request.params.id);
      if (job?.kind === undefined || ctx.plans.state(job).state !== 'done') {
        return reply.code(404).send({ error: 'There is no plan for this upload yet.' });
      }
      const offset = Math.max(0, Number(request.query.offset) || 0);
      const limit = Math.min(200, Math.max(1, Number(request.query.limit) || 25));
      return reply.send(await readTablePage(ctx.plans.planPath(job), ['change'], offset, limit));
    },
  );
}
