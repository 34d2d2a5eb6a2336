#!/usr/bin/env node
// pnpm links the `veza-server` command to this file when it installs, before anything is built,
// so the command exists on a fresh clone; the CLI itself is the build's dist/cli.js.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'NOT_BUILT: veza-server is not built yet: run `npm run build` at the root of the repository, then try again.\n',
  );
  process.exit(1);
}
await import(cli.href);
