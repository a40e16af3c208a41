/**
 * Counts by a tuple of label values, cheap to increment: one string join and one map lookup. The
 * label values must come from closed sets (the caller's job), so the table stays small.
 */
export class CountTable<Labels extends string[]> {
  readonly #rows = new Map<string, { labels: Labels; count: number }>()

  add(...labels: Labels): void {
    const key = labels.join('\u0000')
    const row = this.#rows.get(key)
    if (row === undefined) this.#rows.set(key, { labels, count: 1 })
    else row.count++
  }

  forEach(visit: (labels: Labels, count: number) => void): void {
    for (const { labels, count } of this.#rows.values()) visit(labels, count)
  }
}
