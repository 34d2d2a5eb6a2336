/**
 * The command lines of a Markdown document's ```sh blocks, read the way a reader copies them, so
 * the scripts that run them (smoke.mjs, systemd-smoke.mjs) and the documents cannot drift apart.
 */

/**
 * The ```sh blocks under `## <heading>` (up to the next `## `), each as its command lines in
 * order; blank lines and `#` comment lines are left out.
 * @param {string} markdown
 * @param {string} heading
 * @returns {string[][]}
 */
export function shBlocks(markdown, heading) {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`The document has no "## ${heading}" section`);
  /** @type {string[][]} */
  const blocks = [];
  /** @type {string[] | undefined} */
  let current;
  for (const line of lines.slice(start + 1)) {
    const text = line.trim();
    if (current === undefined && line.startsWith('## ')) break;
    if (current === undefined && text === '```sh') current = [];
    else if (current !== undefined && text === '```') {
      blocks.push(current);
      current = undefined;
    } else if (current !== undefined && text !== '' && !text.startsWith('#')) current.push(text);
  }
  if (blocks.length === 0) throw new Error(`The "${heading}" section has no sh block`);
  return blocks;
}
