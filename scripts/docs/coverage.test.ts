import { describe, expect, it } from 'vitest';
import { stale, uncovered } from './coverage.js';
import { coveredBy, ranByCi, run, type DocumentedCommand } from './documented-commands.js';
import { extractCommands } from './extract-commands.js';
import { splitAssignments } from './run-documented.js';

const DOC = [
  '# Title',
  '',
  '```sh',
  'npm start   # the server and the app',
  '# a comment line',
  '',
  'podman build --runtime runc \\',
  '  -t veza .',
  "echo 'a # inside quotes'",
  '$ npm test',
  "cat > /etc/veza.env <<'EOF'",
  'VEZA_PORT=8080 # kept: a file body, not a command',
  'EOF',
  '```',
  '',
  '```',
  'a diagram, not commands',
  '```',
  '',
  '```ini',
  '[Service]',
  '```',
  '',
  '  ```bash',
  '  systemctl enable --now veza',
  '  ```',
].join('\n');

describe('the commands of a Markdown file', () => {
  it('are the lines of its shell blocks, without comments, continuations joined, heredocs kept whole', () => {
    expect(extractCommands(DOC, 'doc.md')).toEqual([
      { file: 'doc.md', line: 4, command: 'npm start' },
      { file: 'doc.md', line: 7, command: 'podman build --runtime runc -t veza .' },
      { file: 'doc.md', line: 9, command: "echo 'a # inside quotes'" },
      { file: 'doc.md', line: 10, command: 'npm test' },
      {
        file: 'doc.md',
        line: 11,
        command: "cat > /etc/veza.env <<'EOF'\nVEZA_PORT=8080 # kept: a file body, not a command\nEOF",
      },
      { file: 'doc.md', line: 25, command: 'systemctl enable --now veza' },
    ]);
  });
});

describe('the table of documented commands', () => {
  const lines = extractCommands(DOC, 'doc.md');
  const table: DocumentedCommand[] = [
    { command: 'npm start', how: run('desktop') },
    { command: /^podman build /, how: coveredBy('deploy/image.test.ts', 'builds the image') },
    { command: 'npm test', how: ranByCi() },
    { command: 'npm run gone', how: run('completes') },
  ];

  it('names each command without an entry, and says what to add', () => {
    const problems = uncovered(lines, table);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain(`doc.md:9: echo 'a # inside quotes'\n  is exercised by no test.`);
    expect(problems[0]).toContain(`{ command: "echo 'a # inside quotes'", how: run(`);
    expect(problems[0]).toContain("coveredBy('path/to/file.test.ts', 'the name of its test')");
    expect(problems[2]).toContain('doc.md:25: systemctl enable --now veza');
  });

  it('finds entries whose command left the docs', () => {
    expect(stale(lines, table).map((entry) => entry.command)).toEqual(['npm run gone']);
  });
});

describe('the variables set on a documented command line', () => {
  it('are split from the command they apply to', () => {
    expect(splitAssignments('VEZA_DATA_DIR=/srv/veza VEZA_HOST=0.0.0.0 npm run serve')).toEqual({
      assignments: [
        ['VEZA_DATA_DIR', '/srv/veza'],
        ['VEZA_HOST', '0.0.0.0'],
      ],
      command: 'npm run serve',
    });
    expect(splitAssignments('npm run veza-server -- user create --email a=b')).toEqual({
      assignments: [],
      command: 'npm run veza-server -- user create --email a=b',
    });
  });
});
