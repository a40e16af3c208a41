/**
 * MQTT 3.1.1 §4.7 topic names and filters. A filter's levels are split on `/`; `+` matches exactly
 * one level, `#` (only as the whole last level) the parent level and any number below it. Topics
 * starting with `$` are never matched by a filter whose first level is a wildcard (§4.7.2).
 */

/** Whether `filter` is a well-formed topic filter: wildcards only as whole levels, `#` only last. */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000')) return false
  const levels = filter.split('/')
  return levels.every(
    (level, index) =>
      (!level.includes('#') || (level === '#' && index === levels.length - 1)) &&
      (!level.includes('+') || level === '+'),
  )
}

/** Whether `topic` is a well-formed topic name (what PUBLISH carries): no wildcards at all. */
export function isValidTopicName(topic: string): boolean {
  return topic.length > 0 && !topic.includes('+') && !topic.includes('#') && !topic.includes('\u0000')
}

/**
 * Whether every topic that `requested` can match is also matched by `allowed`. With a topic name as
 * `requested` this is plain matching; with a filter it decides whether a SUBSCRIBE stays inside what
 * the ACL grants (subscribing to `devices/+/telemetry` is not covered by `devices/d1/telemetry`).
 */
export function filterCovers(allowed: string, requested: string): boolean {
  const a = allowed.split('/')
  const r = requested.split('/')
  // §4.7.2: a leading wildcard never reaches `$` topics, so it cannot grant them.
  const first = a[0] as string
  if ((first === '+' || first === '#') && (r[0] as string).startsWith('$')) return false
  for (let i = 0; i < a.length; i++) {
    const level = a[i] as string
    if (level === '#') return true
    if (i >= r.length) return false
    const wanted = r[i] as string
    if (wanted === '#') return false
    if (level === '+') continue
    if (wanted === '+' || wanted !== level) return false
  }
  return r.length === a.length
}
