import { englishDataset, SyntaxKind, type Node as PatternNode, type ParsedPattern } from 'obscenity';
import { parseAllowed, parseKeyword, type KeywordTerm } from './keyword-terms.js';

/*
 * The bundled English list: obscenity's dataset, turned into our keyword form so it goes through
 * the same normalisation and the same trie as moderators' keywords. Its patterns map one to one:
 * a `|` boundary is our whole-word edge, a side without one is our `*`, `[x]` is optional, `?` is
 * any letter. Its whitelist ("scunthorpe", "assess", "shitake") becomes the preset's allow-list.
 */

export interface PresetTerm extends KeywordTerm {
  /** The word the phrase stands for, for people ("fuck" for "f?ck"). */
  word: string;
}

export interface Preset {
  terms: PresetTerm[];
  allowed: number[][];
}

/** Everyday words the English list takes for profanity, found by our corpus of ordinary chat. */
const MORE_ALLOWED = ['cockpit', 'penistone', 'pussycat', 'pussy willow', 'moby dick', 'assort', 'shitzu', 'shih tzu'];

let cached: Preset | null = null;

export function englishPreset(): Preset {
  cached ??= buildPreset();
  return cached;
}

function buildPreset(): Preset {
  const built = englishDataset.build();
  const terms: PresetTerm[] = [];
  const seen = new Set<string>();
  for (const { id, pattern } of built.blacklistedTerms) {
    const metadata = englishDataset.getPayloadWithPhraseMetadata({
      termId: id,
      startIndex: 0,
      endIndex: 0,
      matchLength: 0,
    }).phraseMetadata as { originalWord?: string } | undefined;
    for (const spelling of spellings(pattern)) {
      const keyword = `${pattern.requireWordBoundaryAtStart ? '' : '*'}${spelling}${pattern.requireWordBoundaryAtEnd ? '' : '*'}`;
      const term = parseKeyword(keyword);
      if (term === null || seen.has(keyword)) continue;
      // "titt", "jizz": obscenity collapses such doubles in messages, so these spellings never match
      // there; collapsed here they would ("tit*" would take "title"). Leave them out, as it does.
      if (String.fromCharCode(...term.chars.map((c) => (c < 0 ? 42 : c))) !== spelling) continue;
      seen.add(keyword);
      terms.push({ ...term, word: metadata?.originalWord ?? spelling });
    }
  }
  const allowed: number[][] = [];
  for (const entry of [...(built.whitelistedTerms ?? []), ...MORE_ALLOWED]) {
    // "45s" protects records from leetspeak in obscenity; here it would normalise to "ass" and allow it everywhere.
    if (/\d/.test(entry)) continue;
    const chars = parseAllowed(entry);
    if (chars !== null) allowed.push(chars);
  }
  return { terms, allowed };
}

/** Every spelling a pattern allows, optionals expanded; `?` becomes a star (any one letter). */
function spellings(pattern: ParsedPattern): string[] {
  let out = [''];
  for (const node of pattern.nodes) {
    const text = nodeText(node);
    if (node.kind === SyntaxKind.Optional) out = out.flatMap((prefix) => [prefix, prefix + text]);
    else out = out.map((prefix) => prefix + text);
  }
  return out.filter((spelling) => spelling.length > 0);
}

function nodeText(node: PatternNode): string {
  switch (node.kind) {
    case SyntaxKind.Literal:
      return String.fromCodePoint(...node.chars);
    case SyntaxKind.Wildcard:
      return '*';
    case SyntaxKind.Optional:
      return nodeText(node.childNode);
  }
}
