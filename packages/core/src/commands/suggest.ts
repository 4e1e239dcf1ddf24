/** Edit distance between two short strings, counting a swap of neighbours as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      row[j] = best;
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** How far a typed word may be from a candidate of `length` characters to suggest it: one edit per three, at least one. */
export function maxSuggestionDistance(length: number): number {
  return Math.max(1, Math.floor(length / 3));
}

/**
 * The closest candidates to `word` (at most `limit`), close enough to be a likely typo or prefix: words that start
 * with it first, then by edit distance, then in collation order. Scans every candidate; for a fixed set of words
 * asked many times, a `SuggestionIndex` gives the same answer without the scan.
 */
export function suggest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = word.toLowerCase();
  const scored: Array<[string, number]> = [];
  for (const candidate of candidates) {
    const distance = candidate.startsWith(lower) ? 0.5 : editDistance(lower, candidate);
    if (distance <= maxSuggestionDistance(candidate.length)) scored.push([candidate, distance]);
  }
  return scored
    .sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]))
    .slice(0, limit)
    .map(([c]) => c);
}
