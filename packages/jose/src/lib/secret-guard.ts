import { Buffer } from 'node:buffer'
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { JOSEError } from '../errors.js'

/*
 * The algorithm-confusion attack (CVE-2015-9235, CVE-2023-48223 and relatives): a verifier configured
 * with an RSA or EC public key is handed an HS256 token, and the library uses the public key's PEM,
 * DER or JWK text as the HMAC secret — which the attacker also has. We refuse any secret that looks
 * like asymmetric key material, in whatever encoding, wherever in the bytes it starts.
 */

const TEXT_MARKERS = [
  '-----begin',
  'ssh-rsa',
  'ssh-ed25519',
  'ssh-ed448',
  'ecdsa-sha2-',
  'ssh-dss',
  'putty-user-key-file',
  '"kty"',
  "'kty'",
]

function looksLikeText(bytes: Buffer): boolean {
  const text = bytes.toString('latin1').toLowerCase()
  for (const marker of TEXT_MARKERS) if (text.includes(marker)) return true
  return false
}

/**
 * JWK JSON that the markers miss: member names spelled with escapes (`"\u006bty"`), or the public
 * members without `kty` (`{"n":…,"e":…}`, `{"crv":…,"x":…}`), alone or in a JWK set, after any prefix.
 */
function looksLikeJWK(bytes: Buffer): boolean {
  const text = bytes.toString('utf8')
  const start = text.indexOf('{')
  const end = text.lastIndexOf('}')
  if (start === -1 || end < start) return false
  let value: unknown
  try {
    value = JSON.parse(text.slice(start, end + 1))
  } catch {
    return false
  }
  const isJWK = (jwk: unknown): boolean => {
    if (typeof jwk !== 'object' || jwk === null) return false
    const has = (name: string) => Object.hasOwn(jwk, name)
    return has('kty') || (has('n') && has('e')) || (has('crv') && has('x')) || has('x5c')
  }
  const keys = (value as { keys?: unknown } | null)?.keys
  return isJWK(value) || (Array.isArray(keys) && keys.some(isJWK))
}

function parsesAsKeyDer(der: Buffer): boolean {
  const attempts: Array<() => unknown> = [
    () => createPublicKey({ key: der, format: 'der', type: 'spki' }),
    () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
    () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
    () => createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }),
    () => createPrivateKey({ key: der, format: 'der', type: 'sec1' }),
    () => new X509Certificate(der),
  ]
  for (const attempt of attempts) {
    try {
      attempt()
      return true
    } catch {}
  }
  return false
}

/**
 * Each candidate costs up to six OpenSSL parses (~0.1 ms each). Whoever chooses a secret (an `oct`
 * member of a client's JWK set, a tenant's registered secret) could otherwise pack a candidate every
 * few bytes and block the event loop for minutes. Honest secrets hold none or a handful; past the
 * budget the secret is refused rather than partly checked.
 */
const MAX_DER_CANDIDATES = 64

// Tags of the top-level members of SPKI, PKCS#1, PKCS#8 (v1 and v2), SEC1 and X.509 structures.
const MEMBER_TAGS = new Set([0x02, 0x03, 0x04, 0x30, 0x81, 0xa0, 0xa1])

/**
 * Whether bytes[start, end) is a chain of TLVs with member tags that exactly fills the SEQUENCE:
 * OpenSSL's decoder refuses every container that is not, so skipping the others weakens nothing, and
 * text (where 0x30 is the digit '0') almost never passes. Indefinite lengths are left to OpenSSL.
 */
function membersFill(bytes: Buffer, start: number, end: number): boolean {
  let i = start
  while (i < end) {
    if (!MEMBER_TAGS.has(bytes[i] as number) || i + 2 > end) return false
    const first = bytes[i + 1] as number
    if (first === 0x80) return true
    let length = first
    let header = 2
    if (first > 0x80) {
      const n = first & 0x7f
      if (n > 4 || i + 2 + n > end) return false
      length = 0
      for (let k = 0; k < n; k++) length = length * 256 + (bytes[i + 2 + k] as number)
      header = 2 + n
    }
    i += header + length
  }
  return i === end
}

/**
 * A DER SEQUENCE (0x30) whose length field matches the bytes that follow is how every key and
 * certificate container starts. Checked at every offset so leading junk cannot hide one.
 */
function containsDerSequence(bytes: Buffer, budget: { remaining: number }): boolean {
  for (let i = 0; i + 2 <= bytes.length; i++) {
    if (bytes[i] !== 0x30) continue
    const first = bytes[i + 1] as number
    let length: number
    let header: number
    if (first < 0x80) {
      length = first
      header = 2
    } else if (first === 0x81 || first === 0x82) {
      const n = first & 0x7f
      if (i + 2 + n > bytes.length) continue
      length = n === 1 ? (bytes[i + 2] as number) : ((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number)
      header = 2 + n
      if (length < 0x80) continue
    } else continue
    // Short sequences are everywhere in random bytes; key containers are at least 32 bytes long.
    if (length < 32) continue
    const end = i + header + length
    if (end > bytes.length) continue
    const inner = bytes[i + header]
    // Key and certificate containers start with an INTEGER (version) or another SEQUENCE.
    if (inner !== 0x02 && inner !== 0x30) continue
    if (!membersFill(bytes, i + header, end)) continue
    if (--budget.remaining < 0) {
      throw new JOSEError(
        'ERR_KEY_INVALID',
        'the secret holds too many DER-like structures to be checked for key material; it is refused',
      )
    }
    if (parsesAsKeyDer(bytes.subarray(i, end))) return true
  }
  return false
}

/**
 * The decodings an attacker could pass key material through: raw, base64/base64url and hex. A run is
 * decoded from each of its possible alignments (4 for base64, 2 for hex), so characters of the same
 * alphabet in front of the encoded key (a mangled PEM armour line, a prefix) cannot shift it out of
 * view. Node's decoder accepts both base64 alphabets, so one decoding covers base64 and base64url.
 */
function decodings(bytes: Buffer): Buffer[] {
  // Whitespace and NUL bytes removed: the latter also turns UTF-16 text (a key file saved on Windows) into ASCII.
  const compact = bytes.toString('latin1').replace(/[\s\0]+/g, '')
  const out = [bytes, Buffer.from(compact, 'latin1')]
  for (const run of compact.match(/[A-Za-z0-9+/_-]{40,}/g) ?? []) {
    for (let offset = 0; offset < 4; offset++) out.push(Buffer.from(run.slice(offset), 'base64'))
  }
  for (const run of compact.match(/[0-9a-fA-F]{64,}/g) ?? []) {
    for (let offset = 0; offset < 2; offset++) {
      const aligned = run.slice(offset)
      out.push(Buffer.from(aligned.slice(0, aligned.length & ~1), 'hex'))
    }
  }
  return out
}

export function assertNotAsymmetricMaterial(secret: Buffer): void {
  const budget = { remaining: MAX_DER_CANDIDATES }
  for (const candidate of decodings(secret)) {
    if (looksLikeText(candidate) || looksLikeJWK(candidate) || containsDerSequence(candidate, budget)) {
      throw new JOSEError(
        'ERR_KEY_ASYMMETRIC_AS_SECRET',
        'the HMAC secret contains asymmetric key material (PEM, DER or JWK); pass the key itself, not its text',
      )
    }
  }
}
