/**
 * "Did you mean …?" for misspelt names in the config file: field names, attribute keywords,
 * destination names. A typo should cost the user one glance at the message, not a hunt through
 * the documentation.
 */

/** The closest candidate to `word`, if it is close enough to be what was meant. */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  // Allow one edit for short words, more for long ones: "prot" → "port", "maxAtempts" → "maxAttempts".
  const allowed = Math.max(1, Math.min(3, Math.floor(word.length / 4)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const candidateLower = candidate.toLowerCase();
    if (candidateLower === lower) return candidate;
    if (Math.abs(candidate.length - word.length) > allowed) continue;
    const distance = editDistance(lower, candidateLower, allowed);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/** Levenshtein distance with adjacent transpositions; stops early once every path exceeds `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, previous2[j - 2]! + 1);
      current.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return rowMin;
    previous2 = previous;
    previous = current;
  }
  return previous[b.length]!;
}
