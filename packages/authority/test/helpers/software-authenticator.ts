import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { isoCBOR } from '@simplewebauthn/server/helpers'

/**
 * A WebAuthn authenticator in node for the refusal tests: real key pairs (ES256, Ed25519 or RS256),
 * real CBOR (the library's own encoder), attestation `none`. Each method builds exactly what a
 * browser would send, with switches to make it wrong in one precise way.
 */
export type SoftAlg = 'ES256' | 'ES384' | 'EdDSA' | 'RS256'

export interface SoftCredential {
  readonly id: string
  readonly alg: SoftAlg
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly userHandle: string
  counter: number
  backupEligible: boolean
  backupState: boolean
}

export interface CeremonyOverrides {
  origin?: string
  rpId?: string
  challenge?: string
  type?: string
  userVerified?: boolean
  counter?: number
  userHandle?: string | null
}

const b64 = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url')
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest()

export function coseKey(alg: SoftAlg, publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>
  const bytes = (value: string | undefined) => new Uint8Array(Buffer.from(value ?? '', 'base64url'))
  if (alg === 'ES256' || alg === 'ES384')
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, alg === 'ES256' ? -7 : -35],
        [-1, alg === 'ES256' ? 1 : 2],
        [-2, bytes(jwk.x)],
        [-3, bytes(jwk.y)],
      ]),
    )
  if (alg === 'EdDSA')
    return isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 1],
        [3, -8],
        [-1, 6],
        [-2, bytes(jwk.x)],
      ]),
    )
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 3],
      [3, -257],
      [-1, bytes(jwk.n)],
      [-2, bytes(jwk.e)],
    ]),
  )
}

function flags(credential: SoftCredential, userVerified: boolean, attested: boolean): number {
  return (
    0x01 |
    (userVerified ? 0x04 : 0) |
    (credential.backupEligible ? 0x08 : 0) |
    (credential.backupState ? 0x10 : 0) |
    (attested ? 0x40 : 0)
  )
}

function counterBytes(counter: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(counter)
  return out
}

function clientData(type: string, challenge: string, origin: string): string {
  return b64(Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false })))
}

export class SoftwareAuthenticator {
  readonly origin: string
  readonly rpId: string

  constructor(origin: string) {
    this.origin = origin
    this.rpId = new URL(origin).hostname
  }

  newCredential(alg: SoftAlg = 'ES256', options: { backupEligible?: boolean } = {}): SoftCredential {
    const pair =
      alg === 'ES256' || alg === 'ES384'
        ? generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' })
        : alg === 'EdDSA'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: 2048 })
    return {
      id: b64(sha256(`${Math.random()}${Date.now()}`).subarray(0, 16)),
      alg,
      privateKey: pair.privateKey,
      publicKey: pair.publicKey,
      userHandle: '',
      counter: 0,
      backupEligible: options.backupEligible ?? false,
      backupState: false,
    }
  }

  /** A registration response to `options` (from /passkeys/registration/options). */
  register(
    options: { challenge: string; user: { id: string } },
    credential: SoftCredential,
    overrides: CeremonyOverrides = {},
  ) {
    const authData = Buffer.concat([
      sha256(overrides.rpId ?? this.rpId),
      Buffer.from([flags(credential, overrides.userVerified ?? true, true)]),
      counterBytes(overrides.counter ?? credential.counter),
      Buffer.alloc(16),
      Buffer.from([0, Buffer.from(credential.id, 'base64url').length]),
      Buffer.from(credential.id, 'base64url'),
      Buffer.from(coseKey(credential.alg, credential.publicKey)),
    ])
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(authData)],
      ]),
    )
    Object.assign(credential, { userHandle: options.user.id })
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: clientData(
          overrides.type ?? 'webauthn.create',
          overrides.challenge ?? options.challenge,
          overrides.origin ?? this.origin,
        ),
        attestationObject: b64(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    }
  }

  /** A sign-in (assertion) response to `options`; advances the credential's counter unless overridden. */
  authenticate(
    options: { challenge: string },
    credential: SoftCredential,
    overrides: CeremonyOverrides = {},
  ) {
    if (overrides.counter === undefined && credential.counter > 0) credential.counter++
    const counter = overrides.counter ?? credential.counter
    const authData = Buffer.concat([
      sha256(overrides.rpId ?? this.rpId),
      Buffer.from([flags(credential, overrides.userVerified ?? true, false)]),
      counterBytes(counter),
    ])
    const clientDataJSON = clientData(
      overrides.type ?? 'webauthn.get',
      overrides.challenge ?? options.challenge,
      overrides.origin ?? this.origin,
    )
    const signed = Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))])
    const signature =
      credential.alg === 'EdDSA'
        ? sign(null, signed, credential.privateKey)
        : sign(credential.alg === 'ES384' ? 'sha384' : 'sha256', signed, credential.privateKey)
    const handle = overrides.userHandle === undefined ? credential.userHandle : overrides.userHandle
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: b64(authData),
        signature: b64(signature),
        ...(handle === null ? {} : { userHandle: handle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    }
  }
}

/** The credential's public key as node:crypto exports it, for comparing with the stored JWK. */
export function publicJwkOf(credential: SoftCredential): Record<string, string> {
  return createPublicKey(credential.privateKey).export({ format: 'jwk' }) as Record<string, string>
}
