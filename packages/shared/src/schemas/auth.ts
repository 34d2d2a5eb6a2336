import { Type, type Static } from 'typebox';
import { PERMISSIONS, ROLES } from '../roles.js';
import { NON_BLANK_TEXT, STORABLE_TEXT, TimestampSchema, UuidSchema } from './common.js';

/**
 * Limits that keep hashing cheap to refuse: a password longer than this is a 400 before
 * argon2 ever sees it.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
export const USERNAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$';

export const RoleSchema = Type.Enum(ROLES);
export const PermissionSchema = Type.Enum(PERMISSIONS);

export const EmailSchema = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const UsernameSchema = Type.String({ pattern: USERNAME_PATTERN, minLength: 3, maxLength: 32 });
/**
 * Length only: what else a password may not be (control characters, invisible-only, common…) is
 * the server's password policy, which answers with a sentence saying why, not a pattern error.
 * A login's password is not checked beyond length: an old password is answered the usual way.
 */
export const PasswordSchema = Type.String({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
});

export const UserSchema = Type.Object({
  id: UuidSchema,
  email: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  createdAt: TimestampSchema,
});
export type User = Static<typeof UserSchema>;

export const RegisterBodySchema = Type.Object(
  { email: EmailSchema, username: UsernameSchema, password: PasswordSchema },
  { additionalProperties: false },
);
export type RegisterBody = Static<typeof RegisterBodySchema>;

export const LoginBodySchema = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 254, pattern: STORABLE_TEXT, description: 'Email or username' }),
    password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBodySchema>;

export const RefreshBodySchema = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 256, pattern: STORABLE_TEXT }) },
  { additionalProperties: false },
);
export type RefreshBody = Static<typeof RefreshBodySchema>;

export const AuthSessionSchema = Type.Object({
  user: UserSchema,
  accessToken: Type.String(),
  refreshToken: Type.String(),
  accessTokenExpiresAt: TimestampSchema,
});
export type AuthSession = Static<typeof AuthSessionSchema>;

export const ApiKeyCreateBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: NON_BLANK_TEXT }),
    scopes: Type.Array(PermissionSchema, { minItems: 1, maxItems: PERMISSIONS.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type ApiKeyCreateBody = Static<typeof ApiKeyCreateBodySchema>;

export const ApiKeySchema = Type.Object({
  id: UuidSchema,
  name: Type.String(),
  scopes: Type.Array(PermissionSchema),
  prefix: Type.String({ description: 'First characters of the key, to recognise it in lists' }),
  createdAt: TimestampSchema,
  lastUsedAt: Type.Union([TimestampSchema, Type.Null()]),
  revokedAt: Type.Union([TimestampSchema, Type.Null()]),
});
export type ApiKey = Static<typeof ApiKeySchema>;

export const ApiKeyCreatedSchema = Type.Object({
  apiKey: ApiKeySchema,
  key: Type.String({ description: 'The secret key. Shown once; store it now.' }),
});
export type ApiKeyCreated = Static<typeof ApiKeyCreatedSchema>;

export const AdminUserUpdateBodySchema = Type.Object({ role: RoleSchema }, { additionalProperties: false });
export type AdminUserUpdateBody = Static<typeof AdminUserUpdateBodySchema>;
