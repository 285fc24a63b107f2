/**
 * "Did you mean …?": near matches of a mistyped word among the words that exist (keys
 * the caller may read, command words). Only names are ever compared, never values or
 * fields, so a suggestion tells nothing the caller could not list.
 */

/** Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i]!;
    const above = rows[i - 1]!;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * How many edits a word of this length may be away from a suggestion: one for a short
 * word, a third of its length for longer ones. Stricter than commander's 40% similarity,
 * so `injct` is two edits from `init` and is not taken for it.
 */
export function allowedEdits(length: number): number {
  return Math.max(1, Math.floor(length / 3));
}

/**
 * The candidates `word` most likely meant, best first, at most `max`: the same word in
 * another case first, then the fewest edits (compared case-insensitively) within
 * {@link allowedEdits}, then candidates that start with it (a word of three or more
 * characters). Ties keep the candidates' order. `word` itself is never suggested.
 */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = word.toLowerCase();
  const ranked: Array<{ candidate: string; rank: number; order: number }> = [];
  let order = 0;
  for (const candidate of new Set(candidates)) {
    order++;
    if (candidate === word) continue;
    const other = candidate.toLowerCase();
    const distance = editDistance(lower, other);
    if (distance <= allowedEdits(word.length)) ranked.push({ candidate, rank: distance, order });
    else if (lower.length >= 3 && other.startsWith(lower)) ranked.push({ candidate, rank: Number.MAX_SAFE_INTEGER, order });
  }
  return ranked
    .sort((x, y) => x.rank - y.rank || x.order - y.order)
    .slice(0, max)
    .map((r) => r.candidate);
}

/** `did you mean GITHUB?`, `did you mean GITHUB or GITHUB_TOKEN?`; `undefined` for no suggestion. */
export function didYouMean(suggestions: readonly string[]): string | undefined {
  if (suggestions.length === 0) return undefined;
  const last = suggestions[suggestions.length - 1]!;
  return `did you mean ${suggestions.length === 1 ? last : `${suggestions.slice(0, -1).join(', ')} or ${last}`}?`;
}
