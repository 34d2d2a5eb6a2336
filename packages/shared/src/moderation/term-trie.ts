import { MASK } from './normalize.js';

/*
 * A trie over normalised keywords, walked once per word of a message for all keywords of all
 * rules together: a message costs its length times the depth of the few branches it enters, not
 * the number of keywords, and the walk allocates nothing.
 */

const SPACE = 32;
/** In a keyword, a letter that may be anything ("f?ck" in the preset, "f*ck" written by a moderator). */
export const ANY = -1;

class Node {
  readonly next = new Map<number, Node>();
  any: Node | null = null;
  /** Terms ending here. */
  terms: number[] | null = null;
}

/** Where a term sits in a message: called with the term and a half-open range of the normalised text. */
export interface TermSink {
  found(term: number, start: number, end: number): void;
}

export class TermTrie {
  /** @param masks whether a masked letter in a message ("f**k") may stand for any letter of a term. */
  constructor(private readonly masks: boolean) {}

  private readonly anchored = new Node();
  private readonly floating = new Node();
  private readonly openEnd: boolean[] = [];
  /**
   * First characters of the terms (UTF-16 units), so most positions of a message are passed over
   * without entering the trie; a masked letter or a leading wildcard may begin any term.
   */
  private readonly anchoredFirst = new Uint8Array(65536);
  private readonly floatingFirst = new Uint8Array(65536);
  private readonly anyFirst = new Uint8Array(2);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Adds a term and returns its number. `openStart`: may start inside a word ("*spam");
   * `openEnd`: may end inside one ("spam*"); neither: whole words only.
   */
  add(chars: readonly number[], openStart: boolean, openEnd: boolean): number {
    let node = openStart ? this.floating : this.anchored;
    for (const c of chars) {
      if (c === ANY) {
        node.any ??= new Node();
        node = node.any;
      } else {
        let child = node.next.get(c);
        if (child === undefined) {
          child = new Node();
          node.next.set(c, child);
        }
        node = child;
      }
    }
    const first = chars[0]!;
    if (first === ANY) this.anyFirst[openStart ? 1 : 0] = 1;
    else (openStart ? this.floatingFirst : this.anchoredFirst)[first] = 1;
    const term = this.count++;
    this.openEnd[term] = openEnd;
    (node.terms ??= []).push(term);
    return term;
  }

  /**
   * Reports every place a term occurs in `text` (normalised: words separated by one space).
   * `softStarts[i]` marks word starts inside joined spaced-out runs, which count as word edges.
   */
  scan(text: string, sink: TermSink, softStarts?: Uint8Array): void {
    this.text = text;
    this.soft = softStarts ?? null;
    this.sink = sink;
    const anyAnchored = this.anyFirst[0] === 1;
    const anyFloating = this.anyFirst[1] === 1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === SPACE) continue;
      const masked = c === MASK;
      if (
        (anyAnchored || masked || this.anchoredFirst[c] === 1) &&
        (i === 0 || text.charCodeAt(i - 1) === SPACE || this.soft?.[i] === 1)
      ) {
        this.walk(this.anchored, i, i, 0);
      }
      if (anyFloating || masked || this.floatingFirst[c] === 1) this.walk(this.floating, i, i, 0);
    }
    this.sink = null;
  }

  private text = '';
  private soft: Uint8Array | null = null;
  private sink: TermSink | null = null;

  private walk(node: Node, start: number, at: number, masked: number): void {
    const text = this.text;
    if (node.terms !== null && at > start) {
      const atWordEnd = at === text.length || text.charCodeAt(at) === SPACE || this.soft?.[at] === 1;
      // A masked letter stands for one the author hid: at most half of a match, and two letters at least shown.
      if (masked === 0 || (masked * 2 <= at - start && at - start - masked >= 2)) {
        for (const term of node.terms) if (atWordEnd || this.openEnd[term]) this.sink!.found(term, start, at);
      }
    }
    if (at >= text.length) return;
    const c = text.charCodeAt(at);
    // Letters kept doubled by normalisation ("poorn", "sshit") may still be one letter of a term.
    if (at > start && c === text.charCodeAt(at - 1) && c !== MASK) this.walk(node, start, at + 1, masked);
    if (c === MASK) {
      if (!this.masks) return;
      for (const [key, child] of node.next) if (key !== SPACE) this.walk(child, start, at + 1, masked + 1);
    } else {
      const child = node.next.get(c);
      if (child !== undefined) this.walk(child, start, at + 1, masked);
    }
    if (node.any !== null && c !== SPACE) this.walk(node.any, start, at + 1, masked);
  }
}
