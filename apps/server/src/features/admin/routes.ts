import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AdminUserUpdateBodySchema, UserSchema, UuidSchema } from '@veza/shared';
import { AppError, notFound } from '../../infra/errors.js';
import { requirePrincipal } from '../../http/access.js';
import { errorResponses } from '../../http/error-responses.js';
import { changeUserRole, toUserDto } from '../auth/index.js';
import type { AuditLog } from '../moderation/index.js';
import type { FeatureDeps } from '../feature-module.js';

export const adminRoutes: FastifyPluginAsyncTypebox<
  Pick<FeatureDeps, 'db' | 'clock' | 'logger'> & { audit: AuditLog }
> = async (app, { db, clock, logger, audit }) => {
  app.patch(
    '/admin/users/:id',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['admin'],
        summary: "Change a user's role",
        security: [{ bearer: [] }],
        params: Type.Object({ id: UuidSchema }),
        body: AdminUserUpdateBodySchema,
        response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      // An admin demoting themselves could leave the server with no admin at all.
      if (request.params.id === principal.user.id && request.body.role !== 'admin') {
        throw new AppError(400, 'BAD_REQUEST', 'You cannot change your own role; ask another admin.');
      }
      const before = await db.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [request.params.id]);
      const user = await changeUserRole(db, clock, request.params.id, request.body.role);
      if (!user) throw notFound('No user with this id.');
      // Recorded once the change committed: the log says what happened, never what was only tried.
      await audit.record(db, {
        action: 'role.change',
        actor: { id: principal.user.id, username: principal.user.username },
        target: { type: 'user', id: user.id, label: user.username },
        roomId: null,
        reason: null,
        before: { role: before.rows[0]?.role ?? null },
        after: { role: user.role },
        at: clock.now(),
      });
      logger.info({ adminId: principal.user.id, userId: user.id, role: user.role }, 'role changed');
      return toUserDto(user);
    },
  );
};
