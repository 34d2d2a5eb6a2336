import { isErrorCode } from '@veza/shared';
import { DesktopError } from '../../common/errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /** Without a token: sign-in, sign-up, refresh. */
  anonymous?: boolean;
  /** Milliseconds before the request counts as "server unreachable". */
  timeoutMs?: number;
}

/** Gives the client a current access token and renews it when the server says it expired. */
export interface TokenSource {
  accessToken(): Promise<string>;
  /** Called once per request that got TOKEN_EXPIRED; returns the new token or throws. */
  renewAccessToken(): Promise<string>;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** Normalises what the user typed ("127.0.0.1:8080/", "https://veza.example") to an origin-like base. */
export function normaliseServerUrl(input: string): string {
  const trimmed = input.trim();
  // "127.0.0.1:8080" means http; any other scheme written out (ftp://…) is refused below.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new DesktopError('INVALID_ARGUMENT', `“${trimmed}” is not a server address. Try http://127.0.0.1:8080.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DesktopError('INVALID_ARGUMENT', 'The server address must start with http:// or https://.');
  }
  if (url.username || url.password) {
    throw new DesktopError('INVALID_ARGUMENT', 'Put your name and password in the sign-in form, not in the address.');
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The server's REST API. Every failure becomes a DesktopError: the server's own code and message
 * when it answered, OFFLINE when it could not be reached (core then serves from the cache).
 */
export class ApiClient {
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly serverUrl: string,
    private readonly tokens: TokenSource | null,
    options: { fetch?: typeof fetch } = {},
  ) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Absolute URL of a server path ("/api/v1/…" or a path the server returned, such as a cover). */
  absoluteUrl(pathOrUrl: string): string {
    if (/^https?:\/\//i.test(pathOrUrl)) return pathOrUrl;
    return `${this.serverUrl}${pathOrUrl.startsWith('/') ? '' : '/'}${pathOrUrl}`;
  }

  /** The chat WebSocket's URL. */
  webSocketUrl(): string {
    return `${this.serverUrl.replace(/^http/i, 'ws')}/api/v1/ws`;
  }

  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options, options.anonymous ? null : await this.token());
    if (response.status === 401 && !options.anonymous && this.tokens) {
      const error = await readError(response);
      if (error.code === 'TOKEN_EXPIRED' || error.code === 'TOKEN_INVALID') {
        const renewed = await this.tokens.renewAccessToken();
        return parse<T>(await this.send(method, path, options, renewed));
      }
      throw error;
    }
    return parse<T>(response);
  }

  /** A text body (the audit log's CSV export): same auth and errors as `request`, `accept` as asked. */
  async requestText(path: string, accept: string, options: RequestOptions = {}): Promise<string> {
    let response = await this.send('GET', path, options, await this.token(), accept);
    if (response.status === 401 && this.tokens) {
      const error = await readError(response);
      if (error.code !== 'TOKEN_EXPIRED' && error.code !== 'TOKEN_INVALID') throw error;
      response = await this.send('GET', path, options, await this.tokens.renewAccessToken(), accept);
    }
    if (!response.ok) throw await readError(response);
    return response.text();
  }

  /** A raw response for streaming bodies (downloads); errors are mapped like `request`. */
  async fetchRaw(
    url: string,
    init: { signal?: AbortSignal; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.absoluteUrl(url), { signal: init.signal, headers: init.headers });
    } catch (error) {
      throw networkError(error, init.signal);
    }
    if (!response.ok && response.status !== 206) throw await readError(response);
    return response;
  }

  private async token(): Promise<string | null> {
    return this.tokens ? this.tokens.accessToken() : null;
  }

  private async send(
    method: HttpMethod,
    path: string,
    options: RequestOptions,
    token: string | null,
    accept = 'application/json',
  ): Promise<Response> {
    const url = new URL(this.absoluteUrl(path));
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: FormData | string | undefined;
    if (options.body instanceof FormData) {
      body = options.body;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      return await this.fetchImpl(url, { method, headers, body, signal });
    } catch (error) {
      throw networkError(error, options.signal);
    }
  }
}

function networkError(error: unknown, callerSignal: AbortSignal | undefined): DesktopError {
  if (callerSignal?.aborted) return new DesktopError('BAD_REQUEST', 'Cancelled.');
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return new DesktopError('SERVER_UNREACHABLE', 'The server is taking too long to answer.');
  }
  return new DesktopError(
    'OFFLINE',
    'The server cannot be reached. Check your connection; Veza keeps working offline.',
  );
}

async function readError(response: Response): Promise<DesktopError> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    const code = body.error?.code;
    const message = body.error?.message;
    if (isErrorCode(code) && typeof message === 'string') return new DesktopError(code, message);
  } catch {
    // Not our JSON error body: a proxy's page or a crash. Fall through to a generic message.
  }
  if (response.status >= 500)
    return new DesktopError('SERVER_UNREACHABLE', `The server had a problem (HTTP ${response.status}).`);
  return new DesktopError('BAD_REQUEST', `The server refused the request (HTTP ${response.status}).`);
}

async function parse<T>(response: Response): Promise<T> {
  if (!response.ok) throw await readError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
