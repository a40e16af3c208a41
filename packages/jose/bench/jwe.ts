/**
 * JWE rows: dir/A256GCM, ECDH-ES+A128KW/A128GCM and RSA-OAEP-256/A128GCM, encrypting and decrypting the
 * same claims set as the JWS rows. Contenders: @tessera/jose (encryptJWT/decryptJWT), jose
 * (EncryptJWT/jwtDecrypt) and the floor — node:crypto doing only the primitives (ephemeral key and ECDH,
 * one Concat KDF hash, AES key wrap, RSA-OAEP, AES-GCM), no JSON, no base64url. The JWT-only peers
 * (fast-jwt, jsonwebtoken, @node-rs/jsonwebtoken) have no JWE. Neither library has a synchronous JWE
 * path, so both modes use the async calls; node has no async AES-GCM, so the floor is synchronous.
 */
import { Buffer } from 'node:buffer'
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto'
import * as jose from 'jose'
import { decryptJWT, encryptJWT, importPEM, importSecret, type Key } from '../src/index.js'
import { type Contender, entry } from './contenders.js'
import { AUDIENCE, fullClaims, ISSUER, LIFETIME, PER_TOKEN_CLAIMS } from './fixtures.js'
import { type Mode, measureCell, type Operation, type Timing } from './harness.js'
import type { ResultRow } from './report.js'

const CASES = [
  { alg: 'dir', enc: 'A256GCM' },
  { alg: 'ECDH-ES+A128KW', enc: 'A128GCM' },
  { alg: 'RSA-OAEP-256', enc: 'A128GCM' },
] as const
type JWECase = (typeof CASES)[number]

interface JWEKeys {
  tessera: { encrypt: Key; decrypt: Key }
  jose: { encrypt: jose.CryptoKey | Uint8Array; decrypt: jose.CryptoKey | Uint8Array }
  node: { encrypt: KeyObject; decrypt: KeyObject }
}

async function makeKeys({ alg }: JWECase): Promise<JWEKeys> {
  if (alg === 'dir') {
    const secret = randomBytes(32)
    const key = importSecret(secret, alg)
    const bytes = new Uint8Array(secret)
    const node = createSecretKey(secret)
    return {
      tessera: { encrypt: key, decrypt: key },
      jose: { encrypt: bytes, decrypt: bytes },
      node: { encrypt: node, decrypt: node },
    }
  }
  const pair =
    alg === 'RSA-OAEP-256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const privatePem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
  const publicPem = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()
  return {
    tessera: { encrypt: await importPEM(publicPem, alg), decrypt: await importPEM(privatePem, alg) },
    jose: {
      encrypt: await jose.importSPKI(publicPem, alg),
      decrypt: await jose.importPKCS8(privatePem, alg),
    },
    node: { encrypt: pair.publicKey, decrypt: pair.privateKey },
  }
}

/** RFC 7518 §4.6.2 Concat KDF OtherInfo for ECDH-ES+A128KW with empty apu/apv: one SHA-256 block. */
function otherInfo(alg: string, bits: number): Buffer {
  const id = Buffer.from(alg, 'ascii')
  const out = Buffer.alloc(4 + id.length + 4 + 4 + 4)
  out.writeUInt32BE(id.length, 0)
  id.copy(out, 4)
  out.writeUInt32BE(bits, out.length - 4)
  return out
}

const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex')

function floorContender(jweCase: JWECase, keys: JWEKeys, sample: string): Contender {
  const { alg, enc } = jweCase
  const cipher = enc === 'A256GCM' ? 'aes-256-gcm' : 'aes-128-gcm'
  const plaintext = Buffer.from(JSON.stringify(fullClaims()), 'utf8')
  const aad = Buffer.from(sample.slice(0, sample.indexOf('.')), 'ascii')
  const info = otherInfo(alg, 128)
  const counter = Buffer.from([0, 0, 0, 1])
  const seal = (cek: Buffer | KeyObject) => {
    const iv = randomBytes(12)
    const c = createCipheriv(cipher, cek, iv).setAAD(aad)
    const ciphertext = Buffer.concat([c.update(plaintext), c.final()])
    return { iv, ciphertext, tag: c.getAuthTag() }
  }
  const open = (cek: Buffer | KeyObject, sealed: ReturnType<typeof seal>) => {
    const d = createDecipheriv(cipher, cek, sealed.iv).setAAD(aad).setAuthTag(sealed.tag)
    return Buffer.concat([d.update(sealed.ciphertext), d.final()])
  }
  const kek = (privateKey: KeyObject, publicKey: KeyObject) =>
    createHash('sha256')
      .update(counter)
      .update(diffieHellman({ privateKey, publicKey }))
      .update(info)
      .digest()
      .subarray(0, 16)
  let encrypt: Operation
  let decrypt: Operation
  if (alg === 'dir') {
    const sealed = seal(keys.node.encrypt)
    encrypt = () => seal(keys.node.encrypt)
    decrypt = () => open(keys.node.decrypt, sealed)
  } else if (alg === 'RSA-OAEP-256') {
    const oaep = (key: KeyObject) => ({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' })
    const wrapped = publicEncrypt(oaep(keys.node.encrypt), randomBytes(16))
    const sealed = seal(privateDecrypt(oaep(keys.node.decrypt), wrapped))
    encrypt = () => {
      const cek = randomBytes(16)
      return [publicEncrypt(oaep(keys.node.encrypt), cek), seal(cek)]
    }
    decrypt = () => open(privateDecrypt(oaep(keys.node.decrypt), wrapped), sealed)
  } else {
    const ephemeral = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const cek = randomBytes(16)
    const wrapKey = kek(ephemeral.privateKey, keys.node.encrypt)
    const w = createCipheriv('id-aes128-wrap', wrapKey, KW_IV)
    const wrapped = Buffer.concat([w.update(cek), w.final()])
    const sealed = seal(cek)
    encrypt = () => {
      const e = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      const key = randomBytes(16)
      const c = createCipheriv('id-aes128-wrap', kek(e.privateKey, keys.node.encrypt), KW_IV)
      return [Buffer.concat([c.update(key), c.final()]), seal(key)]
    }
    decrypt = () => {
      const d = createDecipheriv('id-aes128-wrap', kek(keys.node.decrypt, ephemeral.publicKey), KW_IV)
      return open(Buffer.concat([d.update(wrapped), d.final()]), sealed)
    }
  }
  return {
    ...entry('floor'),
    sign: { sequential: encrypt, inFlight: encrypt },
    verify: { sequential: decrypt, inFlight: decrypt },
  }
}

function libraryContenders(
  jweCase: JWECase,
  keys: JWEKeys,
  tokens: { tessera: string; jose: string },
): Contender[] {
  const { alg, enc } = jweCase
  const encryptOptions = { alg, enc, issuer: ISSUER, audience: AUDIENCE, expiresIn: LIFETIME }
  const decryptOptions = {
    keyManagementAlgorithms: [alg],
    contentEncryptionAlgorithms: [enc],
    issuer: ISSUER,
    audience: AUDIENCE,
  }
  const tesseraEncrypt = () => encryptJWT(PER_TOKEN_CLAIMS, keys.tessera.encrypt, encryptOptions)
  const tesseraDecrypt = () => decryptJWT(tokens.tessera, keys.tessera.decrypt, decryptOptions)
  const joseEncrypt = () =>
    new jose.EncryptJWT({ ...PER_TOKEN_CLAIMS })
      .setProtectedHeader({ alg, enc, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .encrypt(keys.jose.encrypt)
  const joseDecrypt = () => jose.jwtDecrypt(tokens.jose, keys.jose.decrypt, decryptOptions)
  return [
    {
      ...entry('tessera-plain'),
      label: '@tessera/jose encryptJWT/decryptJWT',
      sign: { sequential: tesseraEncrypt, inFlight: tesseraEncrypt },
      verify: { sequential: tesseraDecrypt, inFlight: tesseraDecrypt },
    },
    {
      ...entry('jose'),
      sign: { sequential: joseEncrypt, inFlight: joseEncrypt },
      verify: { sequential: joseDecrypt, inFlight: joseDecrypt },
    },
  ]
}

const OP_NAMES = { sign: 'encrypt', verify: 'decrypt' } as const

/** Measures every JWE case in the given modes; rows use op `encrypt`/`decrypt` and alg `<alg>/<enc>`. */
export async function jweCells(
  timing: Timing,
  modes: readonly Mode[],
): Promise<{ rows: ResultRow[]; notes: string[] }> {
  const rows: ResultRow[] = []
  const notes: string[] = []
  for (const jweCase of CASES) {
    const keys = await makeKeys(jweCase)
    const { alg, enc } = jweCase
    const tokens = {
      tessera: await encryptJWT(PER_TOKEN_CLAIMS, keys.tessera.encrypt, {
        alg,
        enc,
        issuer: ISSUER,
        audience: AUDIENCE,
        expiresIn: LIFETIME * 4,
      }),
      jose: await new jose.EncryptJWT({ ...PER_TOKEN_CLAIMS })
        .setProtectedHeader({ alg, enc, typ: 'JWT' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .encrypt(keys.jose.encrypt),
    }
    const contenders = [
      floorContender(jweCase, keys, tokens.tessera),
      ...libraryContenders(jweCase, keys, tokens),
    ]
    const name = `${alg}/${enc}`
    for (const mode of modes) {
      for (const op of ['sign', 'verify'] as const) {
        const ready: Contender[] = []
        for (const contender of contenders) {
          const run = contender[op]?.[mode === 'sequential' ? 'sequential' : 'inFlight']
          try {
            const result = await run?.()
            // A library's ciphertext must decrypt with @tessera/jose, and every decrypt must return the claims.
            if (contender.kind !== 'floor' && op === 'sign') {
              await decryptJWT(result as string, keys.tessera.decrypt, {
                keyManagementAlgorithms: [alg],
                contentEncryptionAlgorithms: [enc],
              })
            }
            if (contender.kind !== 'floor' && op === 'verify' && !(result as { payload?: unknown }).payload) {
              throw new Error('no payload')
            }
            ready.push(contender)
          } catch (error) {
            notes.push(
              `${name} ${OP_NAMES[op]} ${mode}: ${contender.label} failed its self-check: ${(error as Error).message}`,
            )
          }
        }
        const measured = await measureCell(
          ready.map((c) => c[op]?.[mode === 'sequential' ? 'sequential' : 'inFlight'] as Operation),
          mode,
          timing,
        )
        ready.forEach((contender, i) => {
          const { opsPerSec, rounds } = measured[i] as { opsPerSec: number; rounds: readonly number[] }
          rows.push({
            mode,
            alg: name,
            op: OP_NAMES[op],
            id: contender.id,
            label: contender.label,
            kind: contender.kind,
            cached: false,
            opsPerSec,
            rounds,
          })
        })
        process.stderr.write(
          `${mode} ${name} ${OP_NAMES[op]}: ${ready.map((c, i) => `${c.id}=${Math.round(measured[i]?.opsPerSec ?? 0)}`).join(' ')}\n`,
        )
      }
    }
  }
  notes.push(
    'JWE: the Tessera figure is the plain async encryptJWT/decryptJWT (there is no createJWT* or sync form for JWE); fast-jwt, jsonwebtoken and @node-rs/jsonwebtoken have no JWE.',
  )
  return { rows, notes }
}
