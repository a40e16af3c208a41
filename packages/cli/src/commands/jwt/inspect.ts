import {
  decodeProtectedHeader,
  isJOSEError,
  type JOSEHeaderParameters,
  type JWTPayload,
  unsafeDecodeJWT,
} from '@tessera/jose'
import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { isoSeconds, relative } from '../../lib/durations.js'
import { failure, usageError } from '../../lib/exit.js'
import { readToken } from '../../lib/input.js'
import { readKeyMaterial } from '../../lib/key-file.js'
import { out, outJSON, paint, pretty } from '../../lib/output.js'
import { tokenWarnings } from './warnings.js'

interface Options {
  key?: string
  json?: boolean
}

const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const

/** "expires in 14 min", "expired 3 h ago", "issued 2 min ago", "valid from …". */
function describeTime(claim: (typeof TIME_CLAIMS)[number], value: number, now: number): string {
  const when = relative(value, now)
  const past = value <= now
  switch (claim) {
    case 'exp':
      return past ? `expired ${when}` : `expires ${when}`
    case 'nbf':
      return past ? `valid since ${when}` : `not valid until ${when}`
    case 'iat':
      return past ? `issued ${when}` : `issued ${when} (in the future)`
  }
}

function decode(token: string): {
  header: JOSEHeaderParameters
  payload: JWTPayload | undefined
  encrypted: boolean
} {
  try {
    if (token.split('.').length === 5)
      return { header: decodeProtectedHeader(token), payload: undefined, encrypted: true }
    const { protectedHeader, payload } = unsafeDecodeJWT(token)
    return { header: protectedHeader, payload, encrypted: false }
  } catch (error) {
    if (isJOSEError(error)) throw failure(`malformed token: ${error.code}: ${error.message}`)
    throw error
  }
}

/** Bytes of the HMAC secret in a key file: an oct JWK's `k`, or the raw file without its final newline. */
function secretLengthOf(path: string): number {
  const material = readKeyMaterial(path)
  if (material.kind === 'secret') return material.bytes.length
  if (material.kind === 'jwk' && material.jwk.kty === 'oct' && typeof material.jwk.k === 'string') {
    return Buffer.from(material.jwk.k, 'base64url').length
  }
  throw usageError(`key file ${path}: --key on inspect takes the HMAC secret (a file or an oct JWK)`)
}

export function addInspect(jwt: Command): void {
  const command = jwt
    .command('inspect')
    .description('decode a JWT without verifying it: header, claims, times in human form, and warnings')
    .argument('[token]', 'the JWT, or - for stdin (the default)', '-')
    .option('--key <file>', 'the HMAC secret file, to check its length')
  withJSON(command)
  examples(command, ['tessera jwt inspect "$TOKEN"', 'pbpaste | tessera jwt inspect --json -'])
  command.action((tokenArg: string, options: Options) => {
    const token = readToken(tokenArg)
    const { header, payload, encrypted } = decode(token)
    const now = Math.floor(Date.now() / 1000)
    const size = Buffer.byteLength(token)
    const secretLength = options.key === undefined ? undefined : secretLengthOf(options.key)
    const warnings = tokenWarnings({
      token,
      header,
      payload,
      now,
      ...(secretLength !== undefined ? { secretLength } : {}),
    })
    const times: Record<string, { value: number; iso: string; relative: string }> = {}
    for (const claim of TIME_CLAIMS) {
      const value = payload?.[claim]
      if (typeof value === 'number' && Number.isFinite(value)) {
        times[claim] = { value, iso: isoSeconds(value), relative: describeTime(claim, value, now) }
      }
    }
    if (options.json) {
      outJSON({ header, payload: payload ?? null, encrypted, times, size, warnings })
      return
    }
    const heading = (text: string) => paint(process.stdout, 'bold', text)
    const lines = [heading('header'), pretty(header)]
    if (encrypted) lines.push(heading('encrypted'), 'a JWE: the claims need the key (tessera jwe decrypt)')
    else lines.push(heading('claims'), pretty(payload))
    const timeLines = Object.entries(times).map(
      ([claim, time]) => `  ${claim}  ${time.iso}  ${time.relative}`,
    )
    if (timeLines.length > 0) lines.push(heading('times'), ...timeLines)
    lines.push(`${heading('size')}  ${size} bytes`)
    if (warnings.length > 0) {
      lines.push(paint(process.stdout, 'yellow', 'warnings'))
      for (const warning of warnings) lines.push(`  ${warning.code}: ${warning.message}`)
    }
    out(lines.join('\n'))
  })
}
