/** A command line as a reader copies it from a shell code block of the docs. */
export interface DocumentedLine {
  /** The file, relative to the repository root. */
  file: string;
  /** 1-based line where the command starts. */
  line: number;
  /** The command: comments removed, `\` continuations and heredoc bodies joined with newlines. */
  command: string;
}

const SHELL_FENCE = /^\s*```(?:sh|bash|shell)\s*$/;
const ANY_FENCE = /^\s*```/;
const HEREDOC = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/;

/**
 * The commands of every ```sh (or bash, shell) block of a Markdown file, one per shell command
 * line. Other fences (diagrams, config files, output) are not commands and are skipped.
 */
export function extractCommands(markdown: string, file: string): DocumentedLine[] {
  const lines = markdown.split('\n');
  const commands: DocumentedLine[] = [];
  let inShell = false;
  let inOther = false;
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index]!;
    if (!inShell && !inOther) {
      if (SHELL_FENCE.test(text)) inShell = true;
      else if (ANY_FENCE.test(text)) inOther = true;
      continue;
    }
    if (ANY_FENCE.test(text) && text.trim() === '```') {
      inShell = inOther = false;
      continue;
    }
    if (inOther) continue;

    const start = index;
    let command = withoutComment(text).replace(/^\$\s+/, '');
    while (command.endsWith('\\') && index + 1 < lines.length) {
      command = `${command.slice(0, -1).trimEnd()} ${withoutComment(lines[++index]!).trim()}`;
    }
    const heredoc = HEREDOC.exec(command);
    if (heredoc) {
      const body: string[] = [];
      while (index + 1 < lines.length && lines[index + 1]!.trim() !== heredoc[2]) body.push(lines[++index]!);
      index++; // the terminator
      command = [command, ...body, heredoc[2]].join('\n');
    }
    command = command.trim();
    if (command) commands.push({ file, line: start + 1, command });
  }
  return commands;
}

/** The line without a trailing `# comment` (a `#` at the start or after a space, outside quotes). */
function withoutComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}
