// The image's HEALTHCHECK: healthy when /readyz answers 200 (the server is up and its database
// answers). Node alone, so the image needs no curl or wget.
const port = process.env.VEZA_PORT || '8080';
try {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
