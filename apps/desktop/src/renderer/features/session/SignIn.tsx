import { type FormEvent, useId, useState } from 'react';
import { DEFAULT_SERVER_URL, useSession } from './session-store.js';
import { Spinner } from '../../ui/Spinner.js';

export function SignIn({ serverUrl: initialServer }: { serverUrl: string }) {
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [serverUrl, setServerUrl] = useState(initialServer || DEFAULT_SERVER_URL);
  const [login, setLogin] = useState('');
  const [email, setEmail] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const busy = useSession((s) => s.busy);
  const error = useSession((s) => s.error);
  const banned = useSession((s) => s.errorCode === 'BANNED');
  const { signIn, signUp, clearError } = useSession.getState();
  const id = useId();
  const errorId = `${id}-error`;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (busy) return;
    const server = serverUrl.trim().replace(/\/+$/, '');
    if (mode === 'sign-in') void signIn({ serverUrl: server, login: login.trim(), password });
    else void signUp({ serverUrl: server, email: email.trim(), username: username.trim(), password });
  };

  const switchMode = (next: 'sign-in' | 'sign-up'): void => {
    clearError();
    setMode(next);
  };

  const describedBy = error ? errorId : undefined;

  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>
          <span className="brand-name">Veza</span>
        </div>
        <h1>{mode === 'sign-in' ? 'Welcome back' : 'Create your account'}</h1>
        <p className="muted">
          {mode === 'sign-in'
            ? 'Sign in to your Veza server to chat and listen.'
            : 'Join a Veza server. Your chat and music stay available offline.'}
        </p>
        <form onSubmit={submit} noValidate={false} aria-describedby={describedBy}>
          <label className="field">
            <span>Server URL</span>
            <input
              type="url"
              value={serverUrl}
              onChange={(e) => setServerUrl(e.target.value)}
              required
              autoComplete="url"
              spellCheck={false}
              placeholder={DEFAULT_SERVER_URL}
              aria-describedby={describedBy}
            />
          </label>
          {mode === 'sign-in' ? (
            <label className="field">
              <span>Email or username</span>
              <input
                value={login}
                onChange={(e) => setLogin(e.target.value)}
                required
                autoComplete="username"
                autoFocus
                aria-describedby={describedBy}
              />
            </label>
          ) : (
            <>
              <label className="field">
                <span>Email</span>
                <input
                  type="email"
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  required
                  autoComplete="email"
                  autoFocus
                />
              </label>
              <label className="field">
                <span>Username</span>
                <input
                  value={username}
                  onChange={(e) => setUsername(e.target.value)}
                  required
                  minLength={3}
                  maxLength={32}
                  pattern="[A-Za-z0-9_][A-Za-z0-9_.\-]{2,31}"
                  title="3 to 32 letters, digits, dots, dashes or underscores"
                  autoComplete="username"
                  spellCheck={false}
                />
              </label>
            </>
          )}
          <label className="field">
            <span>Password</span>
            <input
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              minLength={mode === 'sign-up' ? 8 : 1}
              autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
              aria-describedby={describedBy}
            />
          </label>
          {mode === 'sign-up' && <small className="hint field-hint">At least 8 characters.</small>}
          {error &&
            (banned ? (
              <div className="form-error banned-notice" id={errorId} role="alert">
                <strong>You are banned</strong>
                <p>{error}</p>
              </div>
            ) : (
              <p className="form-error" id={errorId} role="alert">
                {error}
              </p>
            ))}
          <button type="submit" className="button primary wide" disabled={busy}>
            {busy && <Spinner label="Working" />}
            {mode === 'sign-in' ? 'Sign in' : 'Create account'}
          </button>
        </form>
        <div className="auth-switch">
          {mode === 'sign-in' ? (
            <>
              <span className="muted">New here?</span>
              <button type="button" className="link-button" onClick={() => switchMode('sign-up')}>
                Create an account
              </button>
            </>
          ) : (
            <>
              <span className="muted">Already registered?</span>
              <button type="button" className="link-button" onClick={() => switchMode('sign-in')}>
                I already have an account
              </button>
            </>
          )}
        </div>
      </div>
    </main>
  );
}
