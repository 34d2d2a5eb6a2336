/** The session (who is signed in, where) and the sync connection's state. */
import { EmailSchema, LoginBodySchema, PasswordSchema, UsernameSchema, type User } from '@veza/shared';
import { Type, type Static } from 'typebox';
import { command } from './command.js';

export type SessionState =
  { status: 'signed-out'; serverUrl: string } | { status: 'signed-in'; serverUrl: string; user: User };

/**
 * The sync connection: `offline` (no network or server down; `nextRetryAt` says when core tries
 * again), `connecting`, `syncing` (connected, replaying), `online` (caught up, live).
 */
export interface ConnectionState {
  status: 'signed-out' | 'offline' | 'connecting' | 'syncing' | 'online';
  nextRetryAt: string | null;
  lastError: string | null;
}

// What the user typed ("127.0.0.1:8080" too): core's normaliseServerUrl checks it and says what is wrong.
export const ServerUrlSchema = Type.String({ minLength: 1, maxLength: 2048, pattern: '^[^\\s\\u0000-\\u001f]+$' });

const SignIn = Type.Object(
  {
    serverUrl: ServerUrlSchema,
    login: LoginBodySchema.properties.login,
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
const SignUp = Type.Object(
  { serverUrl: ServerUrlSchema, email: EmailSchema, username: UsernameSchema, password: PasswordSchema },
  { additionalProperties: false },
);

export type SignInInput = Static<typeof SignIn>;
export type SignUpInput = Static<typeof SignUp>;

export const sessionCommands = {
  getSession: command().returns<SessionState>(),
  signIn: command(SignIn).returns<SessionState>(),
  signUp: command(SignUp).returns<SessionState>(),
  signOut: command(Type.Object({ wipeCache: Type.Boolean() }, { additionalProperties: false })).returns<SessionState>(),
  getConnection: command().returns<ConnectionState>(),
};

export type SessionEvent =
  { type: 'session.changed'; session: SessionState } | { type: 'connection.changed'; connection: ConnectionState };
