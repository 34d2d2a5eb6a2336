import { resolveConfusablesTransformer, type SimpleTransformerContainer } from 'obscenity';

/*
 * Folds the ways people disguise a word into one plain form, keeping for every character of the
 * plain form where it came from in the original text (UTF-16 offsets), so a match can be shown
 * where the author wrote it. Keywords go through the same function, so whatever a keyword turns
 * into, the same word in a message turns into too.
 *
 *   "Ｆ ц.с.к" "ſhit" "sh\u200Bit" → confusables and compatibility forms to ASCII, invisibles dropped
 *   "sh1t" "$hit" "@ss"          → leetspeak resolved inside words that have letters
 *   "f u c k" "f.u.c.k"          → runs of three or more single letters joined into one word
 *   "fuuuuck" "shiiit"           → repeated letters collapsed (to two for b e o l s g, like obscenity,
 *                                   so "ass", "boob" and "class" keep their doubles)
 *   "f**k"                       → a star between letters kept as a masked letter the matcher may fill
 *
 * Everything that is not part of a word becomes one space: words are separated by exactly one
 * space, with none at either end.
 */

/** What the matcher reads: the plain form and, per character of it, its span in the original. */
export interface NormalizedText {
  readonly text: string;
  /**
   * Where a word began in the original inside a joined spaced-out run ("a s c a m" is "ascam",
   * with words starting at every letter): a whole-word keyword may start or end there too.
   */
  readonly softStarts: Uint8Array;
  /** Original UTF-16 offset where text[i] starts. */
  readonly starts: Uint32Array;
  /** Original UTF-16 offset just after text[i]. */
  readonly ends: Uint32Array;
}

/** A masked letter ("f**k"): the matcher lets it stand for any one letter. */
export const MASK = 42; // '*'
const SPACE = 32;
const REPLACEMENT = 0xfffd;

const obscenityConfusables = (resolveConfusablesTransformer() as SimpleTransformerContainer).transform;

/** Lower-case Greek and Cyrillic look-alikes obscenity's table leaves out ("gιveаѡɑys"). */
const MORE_CONFUSABLES = new Map<number, number>(
  [...'аaɑaαaсcϲcеeεeіiιiјjоoοoрpρpѕsһhԁdոnѡwгrтtκkυuսuνvуyхxьbЬbτtηnωwмmℓl'].flatMap((ch, i, all) =>
    i % 2 === 0 ? [[ch.codePointAt(0)!, all[i + 1]!.codePointAt(0)!] as [number, number]] : [],
  ),
);

function confusables(cp: number): number {
  // Ours first: obscenity reads a Greek iota as "l", where people mean "i".
  const ours = MORE_CONFUSABLES.get(cp);
  if (ours !== undefined) return ours;
  const mapped = obscenityConfusables(cp) ?? cp;
  return MORE_CONFUSABLES.get(mapped) ?? mapped;
}

/** Leetspeak, resolved only inside words that also have letters ("sh1t", not "2024"). */
const LEET_DIGITS: Record<number, number> = {
  48: 111, // 0 → o
  49: 105, // 1 → i
  50: 122, // 2 → z
  51: 101, // 3 → e
  52: 97, // 4 → a
  53: 115, // 5 → s
  54: 103, // 6 → g
  55: 116, // 7 → t
  56: 98, // 8 → b
  57: 103, // 9 → g
};
/** Symbols that stand for letters only with word characters on their right ("$hit", "sh!t"; not "hey!"). */
const LEET_LEADING: Record<number, number> = { 36: 115 /* $ */, 64: 97 /* @ */ };
/** Symbols that stand for letters only between word characters ("sh!t", "b|tch"; not "(hi)" or "hey!"). */
const LEET_INNER: Record<number, number> = {
  33: 105, // !
  124: 105, // |
  40: 99, // (
  43: 116, // +
  36: 115, // $
  64: 97, // @
  8364: 101, // €
};

/** Letters whose doubles are kept (obscenity's choice): "ass", "boob", "feel", "egg", "ball". */
const KEEP_DOUBLE = new Set([98, 101, 111, 108, 115, 103]); // b e o l s g

/** Characters that are not there for a reader: zero-width, joiners, bidi controls, variation selectors, tags. */
function isInvisible(cp: number): boolean {
  return (
    cp === 0xad ||
    cp === 0x34f ||
    cp === 0x180e ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f) ||
    cp === 0xfeff ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef)
  );
}

function isCombiningMark(cp: number): boolean {
  return (
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe20 && cp <= 0xfe2f)
  );
}

const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

const enum Cls {
  Letter,
  Digit,
  Symbol,
  Separator,
}

function classify(cp: number): Cls {
  if (cp >= 97 && cp <= 122) return Cls.Letter;
  if (cp >= 48 && cp <= 57) return Cls.Digit;
  if (cp in LEET_INNER || cp === MASK) return Cls.Symbol;
  if (cp < 128) return Cls.Separator;
  return LETTER_OR_NUMBER.test(String.fromCodePoint(cp)) ? Cls.Letter : Cls.Separator;
}

/**
 * Stage 1: code points to folded characters (lower case, ASCII where a look-alike exists),
 * each with its original span; invisible characters and combining marks vanish.
 */
function fold(input: string, chars: number[], starts: number[], ends: number[]): void {
  for (let i = 0; i < input.length;) {
    const cp = input.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const end = i + width;
    if (cp < 128) {
      chars.push(cp >= 65 && cp <= 90 ? cp + 32 : cp);
      starts.push(i);
      ends.push(end);
    } else if (!isInvisible(cp) && !isCombiningMark(cp)) {
      const mapped = confusables(cp);
      if (mapped < 128) {
        chars.push(mapped >= 65 && mapped <= 90 ? mapped + 32 : mapped);
        starts.push(i);
        ends.push(end);
      } else {
        // Compatibility forms (full-width, ligatures, maths letters) and accents: NFKD, marks dropped.
        const decomposed = String.fromCodePoint(mapped).normalize('NFKD').toLowerCase();
        for (let k = 0; k < decomposed.length;) {
          const d = decomposed.codePointAt(k)!;
          k += d > 0xffff ? 2 : 1;
          if (isCombiningMark(d) || isInvisible(d)) continue;
          const again = d < 128 ? d : confusables(d);
          // One UTF-16 unit per character keeps text and spans aligned; astral letters are rare enough to drop.
          chars.push(again >= 65 && again <= 90 ? again + 32 : again > 0xffff ? REPLACEMENT : again);
          starts.push(i);
          ends.push(end);
        }
      }
    }
    i = end;
  }
}

/**
 * "c*u*n*t", "i.d.i.o.t" inside one word: letters with the same symbol between each, at least
 * three letters, are spaced-out letters, so the symbols become separators.
 */
function splitAlternating(chars: readonly number[], cls: Cls[]): void {
  const n = chars.length;
  let i = 0;
  while (i < n) {
    if (cls[i] === Cls.Separator) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && cls[j] !== Cls.Separator) j++;
    const end = j;
    // Punctuation around the letters ("i*d*i*o*t!!!") is not part of the pattern.
    while (j > i && cls[j - 1] === Cls.Symbol) j--;
    const length = j - i;
    if (length >= 5 && length % 2 === 1 && cls[i + 1] === Cls.Symbol) {
      const symbol = chars[i + 1];
      let alternating = true;
      for (let k = i; k < j && alternating; k++) {
        alternating = (k - i) % 2 === 0 ? cls[k] === Cls.Letter || cls[k] === Cls.Digit : chars[k] === symbol;
      }
      if (alternating) for (let k = i + 1; k < j; k += 2) cls[k] = Cls.Separator;
    }
    i = end;
  }
}

/** Builds the normalised form of `input` with its map back to the original. */
export function normalizeWithSpans(input: string): NormalizedText {
  const chars: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  fold(input, chars, starts, ends);

  // Stage 2: words (runs of non-separators), leetspeak inside words that have a letter.
  const n = chars.length;
  const cls: Cls[] = new Array<Cls>(n);
  for (let i = 0; i < n; i++) cls[i] = classify(chars[i]!);
  const out: number[] = [];
  const outStart: number[] = [];
  const outEnd: number[] = [];
  /** Index in `out` where each word starts, and its length, for stage 3. */
  const wordStarts: number[] = [];
  const wordEnds: number[] = [];

  splitAlternating(chars, cls);

  let i = 0;
  while (i < n) {
    if (cls[i] === Cls.Separator) {
      i++;
      continue;
    }
    let j = i;
    let hasLetter = false;
    while (j < n && cls[j] !== Cls.Separator) {
      if (cls[j] === Cls.Letter) hasLetter = true;
      j++;
    }
    // Symbols at the edges of a word are punctuation, except a leading $ or @ before a letter.
    let a = i;
    let b = j;
    while (b > a && cls[b - 1] === Cls.Symbol) b--;
    while (a < b && cls[a] === Cls.Symbol && !(hasLetter && chars[a]! in LEET_LEADING)) a++;
    if (a < b) {
      if (out.length > 0) {
        out.push(SPACE);
        outStart.push(starts[a]!);
        outEnd.push(starts[a]!);
      }
      wordStarts.push(out.length);
      for (let k = a; k < b; k++) {
        let c = chars[k]!;
        if (hasLetter) {
          if (cls[k] === Cls.Digit) c = LEET_DIGITS[c]!;
          else if (cls[k] === Cls.Symbol && c !== MASK) c = LEET_INNER[c]!;
        } else if (cls[k] === Cls.Symbol) {
          // A word of digits and symbols ("1+1", "10$"): symbols are not letters there.
          if (out.length > wordStarts[wordStarts.length - 1]! && out[out.length - 1] !== SPACE) {
            out.push(SPACE);
            outStart.push(starts[k]!);
            outEnd.push(starts[k]!);
          }
          continue;
        }
        out.push(c);
        outStart.push(starts[k]!);
        outEnd.push(ends[k]!);
      }
      while (out.length > 0 && out[out.length - 1] === SPACE) {
        out.pop();
        outStart.pop();
        outEnd.pop();
      }
      wordEnds.push(out.length);
    }
    i = j;
  }

  // Stage 3: three or more one-letter words in a row are one spaced-out word ("f u c k").
  const joined: number[] = [];
  const joinedStart: number[] = [];
  const joinedEnd: number[] = [];
  const softJoined: number[] = [];
  let w = 0;
  while (w < wordStarts.length) {
    let run = w;
    while (run < wordStarts.length && wordEnds[run]! - wordStarts[run]! === 1) run++;
    const single = run - w >= 3;
    const last = single ? run : w + 1;
    if (joined.length > 0) {
      joined.push(SPACE);
      joinedStart.push(outStart[wordStarts[w]!]!);
      joinedEnd.push(outStart[wordStarts[w]!]!);
    }
    for (let k = w; k < last; k++) {
      if (k > w) softJoined.push(joined.length);
      for (let p = wordStarts[k]!; p < wordEnds[k]!; p++) {
        joined.push(out[p]!);
        joinedStart.push(outStart[p]!);
        joinedEnd.push(outEnd[p]!);
      }
    }
    w = last;
  }

  // Stage 4: collapse repeated letters; the kept letter's span covers the whole run.
  const m = joined.length;
  const resultChars: number[] = [];
  const resultStarts = new Uint32Array(m);
  const resultEnds = new Uint32Array(m);
  const soft = new Uint8Array(m);
  let nextSoft = 0;
  let len = 0;
  let runLength = 0;
  for (let k = 0; k < m; k++) {
    const c = joined[k]!;
    const isSoft = nextSoft < softJoined.length && softJoined[nextSoft] === k;
    if (isSoft) nextSoft++;
    const repeats = len > 0 && resultChars[len - 1] === c && c !== MASK && c !== SPACE;
    runLength = repeats ? runLength + 1 : 1;
    if (repeats && runLength > (KEEP_DOUBLE.has(c) ? 2 : 1)) {
      resultEnds[len - 1] = joinedEnd[k]!;
      continue;
    }
    if (isSoft) soft[len] = 1;
    resultChars.push(c);
    resultStarts[len] = joinedStart[k]!;
    resultEnds[len] = joinedEnd[k]!;
    len++;
  }
  let text = '';
  for (let k = 0; k < len; k += 4096) {
    text += String.fromCharCode(...resultChars.slice(k, k + 4096));
  }
  return {
    text,
    softStarts: soft.subarray(0, len),
    starts: resultStarts.subarray(0, len),
    ends: resultEnds.subarray(0, len),
  };
}

/** The normalised form alone: for comparing messages ("the same message again") or keywords. */
export function normalizeForMatching(text: string): string {
  return normalizeWithSpans(text).text;
}
