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
    const term = this.count++;
    this.openEnd[term] = openEnd;
    (node.terms ??= []).push(term);
    return term;
  }

  /** Reports every place a term occurs in `text` (normalised: words separated by one space). */
  scan(text: string, sink: TermSink): void {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === SPACE) continue;
      if (i === 0 || text.charCodeAt(i - 1) === SPACE) this.walk(this.anchored, text, i, i, 0, sink);
      this.walk(this.floating, text, i, i, 0, sink);
    }
  }

  private walk(node: Node, text: string, start: number, at: number, masked: number, sink: TermSink): void {
    if (node.terms !== null && at > start) {
      const atWordEnd = at === text.length || text.charCodeAt(at) === SPACE;
      // A masked letter stands for one the author hid: at most half of a match, and two letters at least shown.
      if (masked === 0 || (masked * 2 <= at - start && at - start - masked >= 2)) {
        for (const term of node.terms) if (atWordEnd || this.openEnd[term]) sink.found(term, start, at);
      }
    }
    if (at >= text.length) return;
    const c = text.charCodeAt(at);
    if (c === MASK) {
      if (!this.masks) return;
      for (const [key, child] of node.next) if (key !== SPACE) this.walk(child, text, start, at + 1, masked + 1, sink);
    } else {
      const child = node.next.get(c);
      if (child !== undefined) this.walk(child, text, start, at + 1, masked, sink);
    }
    if (node.any !== null && c !== SPACE) this.walk(node.any, text, start, at + 1, masked, sink);
  }
}
