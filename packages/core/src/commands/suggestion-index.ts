/**
 * "Did you mean" without scanning every command: a character trie over the candidate words, searched with the
 * same edit distance as {@link suggest} (optimal string alignment) one trie node at a time, so words that share a
 * prefix share the work and whole branches that cannot come close enough are never visited.
 * @module
 */
import { maxSuggestionDistance } from "./suggest.js";

interface TrieNode {
  /** Character codes of the children, parallel to `kids`. */
  chars: number[];
  kids: TrieNode[];
  /** Rank of the candidate that ends here, or -1. */
  rank: number;
  /**
   * The lengths of the candidates below this node, one bit per length ({@link LONG} for any length from 31 on):
   * with the distance row of the node they bound how close any of them can be.
   */
  below: number;
  /** The best-ranked candidates in this subtree, at most {@link TOP}, best first (its prefix matches). */
  top: number[];
}

/** How many prefix matches each node keeps ready (the default `limit`); larger limits walk the subtree. */
const TOP = 3;

/** The bit that stands for every length from 31 on. */
const LONG = 31;

const newNode = (): TrieNode => ({ chars: [], kids: [], rank: -1, below: 0, top: [] });

/** Collation shared by every index: `a.localeCompare(b)` with no arguments uses the same one. */
let collator: Intl.Collator | undefined;
function collation(): Intl.Collator {
  if (!collator) collator = new Intl.Collator();
  return collator;
}

/**
 * Distinct words in the order suggestions are listed: collation order, ties in the order given. Command words are
 * usually in collation order when sorted by code unit (`cmd1`, `cmd10`, `deploy`), which takes one collator call per
 * word to confirm instead of a collator sort; otherwise (or on a tie) the collator sorts them.
 */
function suggestionOrder(given: string[]): string[] {
  const { compare } = collation();
  const byCodeUnit = [...given].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let agrees = true;
  for (let i = 1; i < byCodeUnit.length && agrees; i++) agrees = compare(byCodeUnit[i - 1]!, byCodeUnit[i]!) < 0;
  if (agrees) return byCodeUnit;
  const order = given.map((_, i) => i);
  order.sort((x, y) => compare(given[x]!, given[y]!) || x - y);
  return order.map((i) => given[i]!);
}

/**
 * The suggestions for a fixed set of distinct words. {@link SuggestionIndex.suggest} returns exactly what
 * `suggest(word, candidates, limit)` returns, at a cost that depends on how many words are close to the typed one
 * rather than on how many there are. Building it sorts the words once; build it again when they change.
 */
export class SuggestionIndex {
  readonly #root = newNode();
  /** Candidates in suggestion order (collation, then the order they were given in): a rank is an index here. */
  readonly #byRank: string[];
  /** The distance table, one row per trie depth (reused by every search; searches are synchronous). */
  #rows = new Int32Array(0);
  /** The characters from the root to the node being visited. */
  readonly #path: Int32Array;

  constructor(candidates: Iterable<string>) {
    this.#byRank = suggestionOrder([...new Set(candidates)]);
    // Inserted best rank first, so each node's `top` fills with its subtree's best ranks.
    let longest = 0;
    for (let rank = 0; rank < this.#byRank.length; rank++) {
      const candidate = this.#byRank[rank]!;
      this.#insert(candidate, rank);
      if (candidate.length > longest) longest = candidate.length;
    }
    this.#path = new Int32Array(longest);
  }

  #insert(word: string, rank: number): void {
    const lengthBit = 1 << Math.min(word.length, LONG);
    let node = this.#root;
    for (let i = 0; ; i++) {
      if (node.top.length < TOP) node.top.push(rank);
      if (i === word.length) break;
      node.below |= lengthBit;
      const code = word.charCodeAt(i);
      let at = node.chars.indexOf(code);
      if (at < 0) {
        at = node.chars.push(code) - 1;
        node.kids.push(newNode());
      }
      node = node.kids[at]!;
    }
    node.rank = rank;
  }

  /** The closest words to `word` (at most `limit`), best first; the same answer as {@link suggest}. */
  suggest(word: string, limit = TOP): string[] {
    if (limit <= 0) return [];
    const query = word.toLowerCase();
    // Words that start with the query come first (distance ½), in rank order.
    const prefixed = this.#prefixMatches(query, limit);
    if (prefixed.length >= limit || query === "") return prefixed.map((rank) => this.#byRank[rank]!);
    const found = new Found(limit - prefixed.length);
    this.#search(query, found);
    return [...prefixed, ...found.ranks()].map((rank) => this.#byRank[rank]!);
  }

  /** Ranks of the words that start with `query`, best first, at most `limit`. */
  #prefixMatches(query: string, limit: number): number[] {
    let node: TrieNode | undefined = this.#root;
    for (let i = 0; i < query.length && node; i++) {
      const at = node.chars.indexOf(query.charCodeAt(i));
      node = at < 0 ? undefined : node.kids[at];
    }
    if (!node) return [];
    if (limit <= TOP || node.top.length < TOP) return node.top.slice(0, limit);
    const ranks: number[] = [];
    const collect = (n: TrieNode) => {
      if (n.rank >= 0) ranks.push(n.rank);
      for (const kid of n.kids) collect(kid);
    };
    collect(node);
    return ranks.sort((x, y) => x - y).slice(0, limit);
  }

  /** Finds the words within their edit distance of `query` (other than prefix matches), into `found`. */
  #search(query: string, found: Found): void {
    const width = query.length + 1;
    const size = (this.#path.length + 1) * width;
    if (this.#rows.length < size) this.#rows = new Int32Array(size);
    const rows = this.#rows;
    for (let j = 0; j < width; j++) rows[j] = j;
    const codes = new Int32Array(query.length);
    for (let j = 0; j < query.length; j++) codes[j] = query.charCodeAt(j);
    const root = this.#root;
    // The empty word, if it is a candidate, is as far from the query as the query is long.
    if (root.rank >= 0 && query.length <= maxSuggestionDistance(0)) found.offer(root.rank, query.length);
    for (let k = 0; k < root.kids.length; k++) this.#visit(root.kids[k]!, root.chars[k]!, 1, codes, width, true, found);
  }

  /**
   * One trie node at `depth` (its character `code`): computes its row of the distance table from its parent's,
   * records the word ending here if close enough, and descends while some word below could still be.
   */
  #visit(
    node: TrieNode,
    code: number,
    depth: number,
    query: Int32Array,
    width: number,
    onQueryPath: boolean,
    found: Found,
  ): void {
    const rows = this.#rows;
    const path = this.#path;
    path[depth - 1] = code;
    const row = depth * width;
    const above = row - width;
    const twoAbove = above - width;
    const before = depth > 1 ? path[depth - 2]! : -1;
    rows[row] = depth;
    let least = depth;
    for (let j = 1; j < width; j++) {
      const q = query[j - 1]!;
      let best = rows[above + j - 1]! + (q === code ? 0 : 1);
      const del = rows[above + j]! + 1;
      if (del < best) best = del;
      const ins = rows[row + j - 1]! + 1;
      if (ins < best) best = ins;
      if (depth > 1 && j > 1 && q === before && query[j - 2] === code) {
        const swap = rows[twoAbove + j - 2]! + 1;
        if (swap < best) best = swap;
      }
      rows[row + j] = best;
      if (best < least) least = best;
    }
    const onPath = onQueryPath && query[depth - 1] === code;
    // Every word below a node spelled exactly like the query starts with it: those are the prefix matches.
    if (onPath && depth === query.length) return;
    if (node.rank >= 0) {
      const distance = rows[row + width - 1]!;
      if (distance <= maxSuggestionDistance(depth)) found.offer(node.rank, distance);
    }
    // Every word below ranks at best node.top[0]; once the list is full, a subtree that can at best tie its worst
    // distance cannot get in.
    const closest = closestBelow(node.below, rows, row, width, depth, least);
    if (closest === Number.POSITIVE_INFINITY || !found.mayImprove(closest, node.top[0]!)) return;
    for (let k = 0; k < node.kids.length; k++)
      this.#visit(node.kids[k]!, node.chars[k]!, depth + 1, query, width, onPath && depth < query.length, found);
  }
}

/**
 * A lower bound on the distance of any candidate below a node that could still be close enough for its length, or
 * infinity when none can. From the node's row (`rows[row + j]`, the distance between the node's word and the first
 * `j` characters of the query), a candidate `extra` characters longer still needs one edit per character of
 * difference between what is left of it and of the query. The least value of a row never shrinks further down (a
 * swap that skips the row costs at least as much as a cell in it), so `least` bounds everything below too.
 */
function closestBelow(below: number, rows: Int32Array, row: number, width: number, depth: number, least: number) {
  if (below & (1 << LONG)) return least;
  let closest = Number.POSITIVE_INFINITY;
  for (let lengths = below; lengths !== 0; lengths &= lengths - 1) {
    const length = 31 - Math.clz32(lengths & -lengths);
    const extra = length - depth;
    let bound = Number.POSITIVE_INFINITY;
    for (let j = 0; j < width; j++) {
      const left = width - 1 - j;
      const value = rows[row + j]! + (extra > left ? extra - left : left - extra);
      if (value < bound) bound = value;
    }
    if (bound <= maxSuggestionDistance(length) && bound < closest) closest = bound;
  }
  return closest;
}

/** The best `limit` matches so far, by distance then rank. */
class Found {
  readonly #distances: number[] = [];
  readonly #ranks: number[] = [];
  constructor(readonly limit: number) {}

  /** Whether a word at `distance` or more, ranked `rank` or worse, could still make the list. */
  mayImprove(distance: number, rank: number): boolean {
    const last = this.#ranks.length - 1;
    if (last + 1 < this.limit) return true;
    const worst = this.#distances[last]!;
    return distance < worst || (distance === worst && rank < this.#ranks[last]!);
  }

  offer(rank: number, distance: number): void {
    let at = this.#ranks.length;
    while (
      at > 0 &&
      (this.#distances[at - 1]! > distance || (this.#distances[at - 1] === distance && this.#ranks[at - 1]! > rank))
    )
      at--;
    if (at >= this.limit) return;
    this.#distances.splice(at, 0, distance);
    this.#ranks.splice(at, 0, rank);
    if (this.#ranks.length > this.limit) {
      this.#distances.pop();
      this.#ranks.pop();
    }
  }

  ranks(): number[] {
    return this.#ranks;
  }
}
