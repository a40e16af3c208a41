const UNITS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  y: 31_557_600,
  year: 31_557_600,
  years: 31_557_600,
}

const DURATION = /^(\d{1,12}(?:\.\d{1,6})?) ?([a-z]+)$/i

/**
 * A non-negative span in seconds, from a number of seconds or a string like "15m", "2 hours", "30s".
 * NaN, Infinity, negatives and unknown units are programmer errors naming the option.
 */
export function toSeconds(value: unknown, option: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0)
      throw new TypeError(`"${option}" must be a finite number of seconds >= 0`)
    return value
  }
  if (typeof value === 'string') {
    const match = DURATION.exec(value.trim())
    const name = match ? (match[2] as string).toLowerCase() : undefined
    // Own members only: "constructor" would otherwise find Object.prototype's and make NaN.
    const unit = name !== undefined && Object.hasOwn(UNITS, name) ? UNITS[name] : undefined
    if (match && typeof unit === 'number') return Math.round(Number(match[1]) * unit)
  }
  throw new TypeError(`"${option}" must be a number of seconds or a duration such as "15m"`)
}

/** Current time in whole seconds (NumericDate), from `currentDate` when a test supplies one. */
export function epochSeconds(currentDate: Date | undefined): number {
  return Math.floor((currentDate === undefined ? Date.now() : currentDate.getTime()) / 1000)
}

export function assertDate(value: unknown, option: string): asserts value is Date | undefined {
  if (value === undefined) return
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) {
    throw new TypeError(`"${option}" must be a valid Date`)
  }
}
