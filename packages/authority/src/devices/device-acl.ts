import { OAuthError } from '../lib/oauth-error.js'

/** The MQTT topics a device may publish and subscribe to, as topic filters. */
export interface DeviceAcl {
  readonly publish: readonly string[]
  readonly subscribe: readonly string[]
}

const PLACEHOLDER = '{device}'
const MAX_PATTERNS = 100
const MAX_LENGTH = 512

function invalid(message: string): never {
  throw new OAuthError('invalid_request', `"acl": ${message}`)
}

/**
 * MQTT 3.1.1 §4.7 topic filter rules: `#` only as the whole last level, `+` only as a whole level;
 * no NUL. `{device}` may appear inside any level and is replaced by the device id, which is itself
 * restricted (see DEVICE_ID in lib/identifiers.ts) so that it can never introduce a level separator or a wildcard.
 */
function checkPattern(pattern: unknown, list: string): string {
  if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > MAX_LENGTH) {
    invalid(`"${list}" entries must be non-empty strings of at most ${MAX_LENGTH} characters`)
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and controls are what is refused.
  if (/[\u0000-\u001f\u007f]/.test(pattern)) invalid(`"${list}" entries must not hold control characters`)
  const rest = pattern.replaceAll(PLACEHOLDER, 'x')
  if (/[{}]/.test(rest)) invalid(`the only placeholder is ${PLACEHOLDER}`)
  const levels = rest.split('/')
  levels.forEach((level, index) => {
    if (level.includes('#') && (level !== '#' || index !== levels.length - 1)) {
      invalid(`"#" must be the whole last level of a topic filter: ${pattern}`)
    }
    if (level.includes('+') && level !== '+')
      invalid(`"+" must be a whole level of a topic filter: ${pattern}`)
  })
  return pattern
}

function checkList(input: Record<string, unknown>, list: 'publish' | 'subscribe'): string[] {
  const value = input[list] ?? []
  if (!Array.isArray(value) || value.length > MAX_PATTERNS) {
    invalid(`"${list}" must be an array of at most ${MAX_PATTERNS} topic filters`)
  }
  return [...new Set(value.map((pattern) => checkPattern(pattern, list)))]
}

/** Validates `{ publish: [...], subscribe: [...] }`; unknown members are refused so typos show. */
export function parseAcl(input: unknown): DeviceAcl {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    invalid('must be an object with "publish" and "subscribe" arrays')
  const record = input as Record<string, unknown>
  const unknown = Object.keys(record).filter((key) => key !== 'publish' && key !== 'subscribe')
  if (unknown.length > 0) invalid(`unknown member ${JSON.stringify(unknown[0])}`)
  return { publish: checkList(record, 'publish'), subscribe: checkList(record, 'subscribe') }
}

/** The ACL as it goes into the device's access tokens: placeholders replaced by its id. */
export function expandAcl(acl: DeviceAcl, deviceId: string): DeviceAcl {
  const expand = (pattern: string) => pattern.replaceAll(PLACEHOLDER, deviceId)
  return { publish: acl.publish.map(expand), subscribe: acl.subscribe.map(expand) }
}
