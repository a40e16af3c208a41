/**
 * Interop with Debian's python3-jwcrypto 1.1, both ways, for ECDH-ES, ECDH-ES+A128KW/A192KW/A256KW on
 * P-256, P-384, P-521, X25519 and X448 (X448 is what the `jose` package lacks), with every content
 * encryption algorithm. Runs /usr/bin/python3 (Debian's, where the package lives), never the python3
 * found on PATH; if that interpreter cannot import jwcrypto the suite fails and says what to install.
 */
import { Buffer } from 'node:buffer'
import { spawnSync } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  compactDecrypt,
  compactEncrypt,
  exportJWK,
  generateKeyPair,
  type JWK,
  type Key,
} from '../../src/index.js'
import { ALL_ENCS } from '../helpers/jwe-keys.js'

const PYTHON = '/usr/bin/python3'
const CURVES = ['P-256', 'P-384', 'P-521', 'X25519', 'X448']
const ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW']
const PLAINTEXT = 'jwcrypto ⇄ tessera'

// Reads {"decrypt": [{token, jwk}], "encrypt": [{jwk, alg, enc, plaintext}]} on stdin and writes
// {"plaintexts": [...], "tokens": [...]}: jwcrypto decrypts our tokens and encrypts its own.
const SCRIPT = `
import json, sys
from jwcrypto import jwk, jwe
from jwcrypto.common import json_encode
request = json.load(sys.stdin)
plaintexts = []
for case in request["decrypt"]:
    token = jwe.JWE()
    token.deserialize(case["token"], key=jwk.JWK(**case["jwk"]))
    plaintexts.append(token.payload.decode("utf-8"))
tokens = []
for case in request["encrypt"]:
    token = jwe.JWE(case["plaintext"].encode("utf-8"), json_encode({"alg": case["alg"], "enc": case["enc"]}))
    token.add_recipient(jwk.JWK(**case["jwk"]))
    tokens.append(token.serialize(compact=True))
json.dump({"plaintexts": plaintexts, "tokens": tokens}, sys.stdout)
`

interface Request {
  decrypt: Array<{ token: string; jwk: JWK }>
  encrypt: Array<{ jwk: JWK; alg: string; enc: string; plaintext: string }>
}

function jwcrypto(request: Request): { plaintexts: string[]; tokens: string[] } {
  const result = spawnSync(PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0) throw new Error(`jwcrypto failed: ${result.stderr || result.error?.message}`)
  return JSON.parse(result.stdout)
}

function bare(jwk: JWK): JWK {
  const { alg: _alg, use: _use, key_ops: _ops, kid: _kid, ...members } = jwk
  return members
}

beforeAll(() => {
  const probe = spawnSync(PYTHON, ['-c', 'import jwcrypto'], { encoding: 'utf8' })
  if (probe.status !== 0) {
    throw new Error(
      `${PYTHON} cannot import jwcrypto (${(probe.stderr || probe.error?.message || '').trim()}): ` +
        'install Debian’s package with `apt-get install -y python3-jwcrypto` (the python3 on PATH is not used)',
    )
  }
})

describe.each(CURVES)('ECDH-ES family on %s', (crv) => {
  it('jwcrypto decrypts ours and we decrypt jwcrypto’s, for every alg and enc', async () => {
    const pairs = new Map<string, { privateKey: Key; publicKey: Key }>()
    for (const alg of ALGS) pairs.set(alg, await generateKeyPair(alg, { crv }))
    const request: Request = { decrypt: [], encrypt: [] }
    const expected: Array<{ alg: string; enc: string }> = []
    for (const alg of ALGS) {
      const pair = pairs.get(alg) as { privateKey: Key; publicKey: Key }
      const privateJwk = bare(await exportJWK(pair.privateKey))
      const publicJwk = bare(await exportJWK(pair.publicKey))
      for (const enc of ALL_ENCS) {
        const token = await compactEncrypt(PLAINTEXT, pair.publicKey, { alg, enc })
        request.decrypt.push({ token, jwk: privateJwk })
        request.encrypt.push({ jwk: publicJwk, alg, enc, plaintext: PLAINTEXT })
        expected.push({ alg, enc })
      }
    }
    const { plaintexts, tokens } = jwcrypto(request)
    expect(plaintexts).toEqual(expected.map(() => PLAINTEXT))
    expect(tokens).toHaveLength(expected.length)
    for (const [index, token] of tokens.entries()) {
      const { alg, enc } = expected[index] as { alg: string; enc: string }
      const key = (pairs.get(alg) as { privateKey: Key }).privateKey
      const result = await compactDecrypt(token, key, {
        keyManagementAlgorithms: [alg],
        contentEncryptionAlgorithms: [enc],
      })
      expect(Buffer.from(result.plaintext).toString('utf8')).toBe(PLAINTEXT)
      expect(result.protectedHeader).toMatchObject({ alg, enc, epk: { crv } })
    }
  })
})
