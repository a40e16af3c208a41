/** "14 min", "3 h", "2 d": rounded down, for people. */
export function humanDuration(seconds: number): string {
  const s = Math.abs(Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min`
  if (s < 2 * 86_400) return `${Math.floor(s / 3600)} h`
  return `${Math.floor(s / 86_400)} d`
}

/** "in 14 min" or "3 h ago", relative to now. */
export function relative(epochSeconds: number, now: number): string {
  const delta = epochSeconds - now
  if (Math.abs(delta) < 1) return 'just now'
  return delta >= 0 ? `in ${humanDuration(delta)}` : `${humanDuration(delta)} ago`
}

export const isoSeconds = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString()

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, min: 60, h: 3600, d: 86_400, w: 604_800 }

/** "90", "90s", "15m", "2h", "7d" → seconds; undefined when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)\s*(s|m|min|h|d|w)?$/.exec(text.trim())
  if (!match) return undefined
  return Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1)
}

/** A duration as jose reads it: digits alone are seconds, anything else ("15m") passes through. */
export const joseDuration = (value: string): number | string => (/^\d+$/.test(value) ? Number(value) : value)
