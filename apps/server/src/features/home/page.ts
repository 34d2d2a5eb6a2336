import { createHash } from 'node:crypto';

/** The styles of the page, allowed by their hash: the page needs no other source, and runs no script. */
const STYLE = `
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f6f6f8; color: #1c1c22; }
main { max-width: 40rem; margin: 3rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { color: #5b5b66; }
dd { margin: 0; }
code { background: #e9e9ee; padding: .1rem .3rem; border-radius: .25rem; }
.ready { color: #1a7f37; }
.not-ready { color: #b42318; }
@media (prefers-color-scheme: dark) {
  body { background: #131317; color: #e8e8ee; }
  dt { color: #9d9daa; }
  code { background: #26262d; }
  a { color: #8ab4ff; }
  .ready { color: #4ac26b; }
  .not-ready { color: #ff7b72; }
}
`;

/**
 * No script, no foreign source, no framing, no form: stricter than the API's default policy, so
 * the page stays safe even if a value on it were ever wrong.
 */
export const HOME_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface HomePageFacts {
  version: string;
  publicUrl: string;
  ready: boolean;
}

/** The page a browser gets at `/`: what this server is, whether it works, and how to use it. */
export function renderHomePage({ version, publicUrl, ready }: HomePageFacts): string {
  const url = escapeHtml(publicUrl);
  const status = ready
    ? '<dd class="ready">Ready</dd>'
    : '<dd class="not-ready">Not ready: the database does not answer</dd>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Veza server</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Veza server</h1>
<p>This is a <strong>Veza</strong> server: audio streaming and real-time chat for the people it hosts.
People listen and chat through the Veza desktop app; this page is only the server's front door.</p>
<dl>
<dt>Version</dt><dd>${escapeHtml(version)}</dd>
<dt>Status</dt>${status}
<dt>Address</dt><dd><code>${url}</code></dd>
</dl>
<h2>Sign in</h2>
<p>Open the Veza desktop app (Windows, macOS, Linux) and enter <code>${url}</code> as its <em>Server URL</em>.
To get the app, see the Veza README: <code>npm start</code> runs it from a clone of the repository, and
<code>pnpm --filter @veza/desktop dist</code> builds its installers.</p>
<h2>For developers</h2>
<p>The HTTP API is described at <a href="/api/docs">/api/docs</a> (OpenAPI document:
<a href="/api/openapi.json">/api/openapi.json</a>); the chat WebSocket is at <code>/api/v1/ws</code>.
Health: <a href="/healthz">/healthz</a>, readiness: <a href="/readyz">/readyz</a>.</p>
</main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
