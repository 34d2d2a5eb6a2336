import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium where it is installed (these machines, CI), else VEZA_CHROMIUM. Flags: no
 * sandbox (tests run as root here), nothing that phones home (this network is closed), and media
 * may autoplay so a test can start playback without a click.
 */
export function chromiumPath(): string {
  // Last: the browser `playwright-core install chromium` fetched (the test command does that
  // on machines without a system Chromium).
  const candidates = [
    process.env.VEZA_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    chromium.executablePath(),
  ];
  const found = candidates.find((candidate): candidate is string => !!candidate && existsSync(candidate));
  if (!found) {
    throw new Error(
      'No Chromium found for the browser tests: install it (Debian: apt-get install chromium), set VEZA_CHROMIUM, ' +
        'or run `pnpm exec playwright-core install chromium`.',
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}
