import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import {
  decodeAttestationObject,
  decodeClientDataJSON,
  isoBase64URL,
  parseAuthenticatorData,
} from '@simplewebauthn/server/helpers'
import { PasskeyError } from './passkey-error.js'

/** Credential ids are at most 1023 bytes (WebAuthn §5.1): 1364 base64url characters. */
const MAX_ID = 1364
/** Every base64url member of a response; attestation `none` keeps the largest (RSA) well below this. */
const MAX_FIELD = 16_384

const malformed = (what: string) =>
  new PasskeyError('invalid_request', `The passkey answer is malformed: ${what}.`)

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function base64url(value: unknown, name: string, max = MAX_FIELD): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > max ||
    !/^[A-Za-z0-9_-]+$/.test(value)
  )
    throw malformed(`"${name}" must be base64url text`)
  return value
}

function credentialBase(value: unknown): { id: string; response: Record<string, unknown> } {
  if (!isObject(value)) throw malformed('"response" must be an object')
  const id = base64url(value.id, 'id', MAX_ID)
  if (value.rawId !== id) throw malformed('"rawId" must equal "id"')
  if (value.type !== 'public-key') throw malformed('"type" must be "public-key"')
  if (!isObject(value.response)) throw malformed('"response.response" must be an object')
  return { id, response: value.response }
}

/** What the browser's clientDataJSON says, checked for shape (the library checks it again). */
export interface ClientData {
  readonly type: string
  readonly challenge: string
  readonly origin: string
}

export function clientDataOf(clientDataJSON: string): ClientData {
  let data: unknown
  try {
    data = decodeClientDataJSON(clientDataJSON)
  } catch {
    throw malformed('clientDataJSON is not JSON')
  }
  if (!isObject(data) || typeof data.type !== 'string' || typeof data.origin !== 'string')
    throw malformed('clientDataJSON lacks its type or origin')
  return { type: data.type, challenge: base64url(data.challenge, 'challenge', 200), origin: data.origin }
}

/** The RP ID hash of an assertion's authenticator data (the library checks it too; we want our own message). */
export function assertionRpIdHash(authenticatorData: string): Uint8Array {
  try {
    return parseAuthenticatorData(isoBase64URL.toBuffer(authenticatorData)).rpIdHash
  } catch {
    throw malformed('the authenticator data cannot be read')
  }
}

/** The RP ID hash inside a registration's attestation object. */
export function registrationRpIdHash(attestationObject: string): Uint8Array {
  try {
    const decoded = decodeAttestationObject(isoBase64URL.toBuffer(attestationObject))
    return parseAuthenticatorData(decoded.get('authData')).rpIdHash
  } catch {
    throw malformed('the attestation cannot be read')
  }
}

export function parseRegistrationResponse(value: unknown): RegistrationResponseJSON {
  const { response } = credentialBase(value)
  base64url(response.clientDataJSON, 'clientDataJSON')
  base64url(response.attestationObject, 'attestationObject')
  if (response.transports !== undefined) {
    if (
      !Array.isArray(response.transports) ||
      response.transports.length > 8 ||
      !response.transports.every((item) => typeof item === 'string' && /^[a-z-]{1,20}$/.test(item))
    )
      throw malformed('"transports" must be a short list of names')
  }
  return value as RegistrationResponseJSON
}

export function parseAuthenticationResponse(value: unknown): AuthenticationResponseJSON {
  const { response } = credentialBase(value)
  base64url(response.clientDataJSON, 'clientDataJSON')
  base64url(response.authenticatorData, 'authenticatorData')
  base64url(response.signature, 'signature')
  if (response.userHandle !== undefined && response.userHandle !== null)
    base64url(response.userHandle, 'userHandle', 200)
  return value as AuthenticationResponseJSON
}
