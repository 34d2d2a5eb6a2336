import { RE2JS } from 're2js';

/*
 * Moderators' regular expressions run on RE2's linear-time engine (re2js, plain JavaScript):
 * time grows with the message, never with the pattern's nesting, so "(a+)+$" cannot hang the
 * event loop. RE2 has no backreferences or lookaround, and refuses them at compile time.
 */

/** Compiles a pattern, case-insensitive; the message on failure is for the moderator who wrote it. */
export function compilePattern(source: string): { ok: true; regex: RE2JS } | { ok: false; message: string } {
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return {
      ok: false,
      message: `pattern “${source}” is not valid: ${reason} (RE2 syntax: no backreferences or lookaround)`,
    };
  }
  // A pattern that matches nothing at all ("x*", "a|") would fire on every message.
  if (regex.matcher('').find())
    return { ok: false, message: `pattern “${source}” matches empty text, so every message` };
  return { ok: true, regex };
}

/** First match in the original text, as a UTF-16 span, or null. */
export function findPattern(regex: RE2JS, body: string): { start: number; end: number } | null {
  const matcher = regex.matcher(body);
  return matcher.find() ? { start: matcher.start(), end: matcher.end() } : null;
}
