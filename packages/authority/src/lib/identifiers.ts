/**
 * The shapes of identifiers that reach a database query. Each is checked before any lookup, so an
 * identifier no record could have — a NUL, which PostgreSQL refuses in text and answers with an
 * error, a control character, a kilobyte of junk — is answered as "no such thing" without touching
 * the database, identically on every storage.
 */

/** Client ids: this authority issues 16 random bytes as base64url; at most 100 of that alphabet. */
export const CLIENT_ID = /^[A-Za-z0-9_-]{1,100}$/

/**
 * Device ids become the `sub` of tokens and replace `{device}` inside MQTT topic filters, so they may
 * not hold `/`, `+`, `#` or anything else a topic gives meaning to.
 */
export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/

/** Anything else that is stored or looked up (a `jti`, a subject): 1–200 visible ASCII characters. */
export const OPAQUE_ID = /^[\x21-\x7E]{1,200}$/

export function isClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID.test(value)
}

export function isDeviceId(value: unknown): value is string {
  return typeof value === 'string' && DEVICE_ID.test(value)
}

export function isOpaqueId(value: unknown): value is string {
  return typeof value === 'string' && OPAQUE_ID.test(value)
}
