import { MASK, normalizeForMatching } from './normalize.js';
import { ANY } from './term-trie.js';

/** A keyword as the trie stores it. */
export interface KeywordTerm {
  chars: number[];
  openStart: boolean;
  openEnd: boolean;
}

/**
 * "spam" whole words, "spam*" words starting with it, "*spam" words ending with it, "*spam*"
 * anywhere; a star inside ("f*ck") stands for any one letter. Null when nothing is left to match
 * once normalised ("!!!", "***").
 */
export function parseKeyword(raw: string): KeywordTerm | null {
  let core = raw.trim();
  let openStart = false;
  let openEnd = false;
  while (core.startsWith('*')) {
    openStart = true;
    core = core.slice(1);
  }
  while (core.endsWith('*')) {
    openEnd = true;
    core = core.slice(0, -1);
  }
  const normalized = normalizeForMatching(core);
  if (!/[^* ]/.test(normalized)) return null;
  const chars: number[] = [];
  for (let i = 0; i < normalized.length; i++) {
    const c = normalized.charCodeAt(i);
    chars.push(c === MASK ? ANY : c);
  }
  return { chars, openStart, openEnd };
}

/** An allow-list entry: matched anywhere, whatever surrounds it. */
export function parseAllowed(raw: string): number[] | null {
  const parsed = parseKeyword(raw);
  return parsed === null ? null : parsed.chars;
}
