import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as jose from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createJWTSigner,
  createSigningThreads,
  exportJWK,
  isJOSEError,
  type SigningThreads,
  verifyJWT,
} from '../../src/index.js'
import { ASYMMETRIC_ALGS, keyPairFor, secretFor } from '../helpers/unit-keys.js'

const NOT_IN_JOSE = ['ES256K', 'Ed448']
const opened: SigningThreads[] = []
function threadsFor(options: Parameters<typeof createSigningThreads>[0] = {}): SigningThreads {
  const threads = createSigningThreads(options)
  opened.push(threads)
  return threads
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((threads) => threads.close()))
})

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
    return undefined
  } catch (error) {
    return isJOSEError(error) ? error.code : `not a JOSEError: ${String(error)}`
  }
}

describe('createSigningThreads with createJWTSigner', () => {
  // jose verifies every algorithm it implements; ES256K and Ed448 it does not, verifyJWT checks those.
  it.each(ASYMMETRIC_ALGS)('signs %s on the threads; every token verifies', async (alg) => {
    const threads = threadsFor({ threads: 2 })
    const { privateKey, publicKey } = await keyPairFor(alg)
    const sign = createJWTSigner({ key: privateKey, alg, issuer: 'iss', kid: 'k', threads })
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, index) => sign({ sub: `s${index}` })))
    const joseKey = NOT_IN_JOSE.includes(alg)
      ? undefined
      : await jose.importJWK((await exportJWK(publicKey)) as jose.JWK, alg)
    for (const [index, token] of tokens.entries()) {
      const { payload, protectedHeader } =
        joseKey === undefined
          ? await verifyJWT(token, publicKey, { algorithms: [alg], allowMissingExpiration: true })
          : await jose.jwtVerify(token, joseKey, { algorithms: [alg] })
      expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: 'k' })
      expect(payload).toMatchObject({ iss: 'iss', sub: `s${index}` })
    }
    expect(threads.pending).toBe(0)
  })

  it('answers many signatures asked for in one turn, each to its own caller', async () => {
    const threads = threadsFor({ maxBatch: 64 })
    const { privateKey, publicKey } = await keyPairFor('ES256')
    const sign = createJWTSigner({ key: privateKey, alg: 'ES256', expiresIn: '5m', threads })
    const asked = Array.from({ length: 500 }, (_, index) => sign({ n: index }))
    expect(threads.pending).toBe(500)
    const tokens = await Promise.all(asked)
    expect(threads.pending).toBe(0)
    for (const [index, token] of tokens.entries()) {
      const { payload } = await verifyJWT(token, publicKey, { algorithms: ['ES256'] })
      expect(payload.n).toBe(index)
    }
    // ECDSA signatures are randomised: 500 distinct tokens, none mixed up between callers.
    expect(new Set(tokens.map((token) => token.split('.')[2])).size).toBe(500)
  })

  it.each([1, 7, 64])('splits waiting signatures into batches of at most maxBatch = %i', async (maxBatch) => {
    const threads = threadsFor({ maxBatch })
    const { privateKey, publicKey } = await keyPairFor('ES256')
    const sign = createJWTSigner({ key: privateKey, alg: 'ES256', expiresIn: '5m', threads })
    // Two go at once (a thread holds two batches), 128 wait: with 64, exactly twice a batch waits.
    const tokens = await Promise.all(Array.from({ length: 130 }, (_, index) => sign({ n: index })))
    for (const [index, token] of tokens.entries()) {
      const { payload } = await verifyJWT(token, publicKey, { algorithms: ['ES256'] })
      expect(payload.n).toBe(index)
    }
    expect(threads.pending).toBe(0)
  })

  it('keeps signers of different keys apart in one batch', async () => {
    const threads = threadsFor()
    const a = await keyPairFor('ES256')
    const b = await keyPairFor('RS256')
    const signA = createJWTSigner({ key: a.privateKey, alg: 'ES256', expiresIn: '5m', threads })
    const signB = createJWTSigner({ key: b.privateKey, alg: 'RS256', expiresIn: '5m', threads })
    const [tokenA, tokenB] = await Promise.all([signA({ who: 'a' }), signB({ who: 'b' })])
    await expect(verifyJWT(tokenA as string, a.publicKey, { algorithms: ['ES256'] })).resolves.toBeDefined()
    await expect(verifyJWT(tokenB as string, b.publicKey, { algorithms: ['RS256'] })).resolves.toBeDefined()
  })

  it('signs HMAC inline: the threads are not used for a MAC', async () => {
    const threads = threadsFor()
    const secret = secretFor('HS256')
    const sign = createJWTSigner({ key: secret, alg: 'HS256', expiresIn: '5m', threads })
    const token = sign({ sub: 'a' })
    expect(threads.pending).toBe(0)
    await expect(verifyJWT(await token, secret, { algorithms: ['HS256'] })).resolves.toBeDefined()
  })

  it('keeps the sync form on the calling thread', async () => {
    const threads = threadsFor()
    const { privateKey, publicKey } = await keyPairFor('ES256')
    const sign = createJWTSigner({ key: privateKey, alg: 'ES256', expiresIn: '5m', threads })
    const token = sign.sync({ sub: 'a' })
    expect(threads.pending).toBe(0)
    await expect(verifyJWT(token, publicKey, { algorithms: ['ES256'] })).resolves.toBeDefined()
  })
})

describe('failing closed', () => {
  it('fails signatures waiting at close, and every later one, with ERR_JOSE_SIGNING_UNAVAILABLE', async () => {
    const threads = createSigningThreads()
    const { privateKey } = await keyPairFor('ES256')
    const sign = createJWTSigner({ key: privateKey, alg: 'ES256', threads })
    const waiting = codeOf(sign({ sub: 'a' }))
    await threads.close()
    expect(await waiting).toBe('ERR_JOSE_SIGNING_UNAVAILABLE')
    expect(await codeOf(sign({ sub: 'b' }))).toBe('ERR_JOSE_SIGNING_UNAVAILABLE')
    expect(threads.pending).toBe(0)
    expect(() => createJWTSigner({ key: privateKey, alg: 'ES256', threads })).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_SIGNING_UNAVAILABLE' }),
    )
  })

  it('refuses signatures beyond maxQueued at once instead of queueing without bound', async () => {
    const threads = threadsFor({ maxQueued: 3 })
    const { privateKey } = await keyPairFor('ES256')
    const sign = createJWTSigner({ key: privateKey, alg: 'ES256', threads })
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => codeOf(sign({}))))
    expect(outcomes).toEqual([
      undefined,
      undefined,
      undefined,
      'ERR_JOSE_SIGNING_UNAVAILABLE',
      'ERR_JOSE_SIGNING_UNAVAILABLE',
    ])
    // Once answered, there is room again.
    expect(await codeOf(sign({}))).toBeUndefined()
  })

  it('does not keep a process alive that forgot to close its threads, whatever flags it runs with', () => {
    const entry = fileURLToPath(new URL('../../dist/index.js', import.meta.url))
    const script = `
      const { createJWTSigner, createSigningThreads, generateKeyPair } = await import(${JSON.stringify(entry)})
      const { privateKey } = await generateKeyPair('ES256')
      const sign = createJWTSigner({ key: privateKey, alg: 'ES256', threads: createSigningThreads() })
      process.stdout.write((await sign({ sub: 'a' })).split('.').length + ' segments')`
    // A module script, and a per-process V8 flag a worker may not be given: neither reaches the thread.
    const flags = ['--max-old-space-size=256', '--max-semi-space-size=32', '--input-type=module']
    const child = spawnSync(process.execPath, [...flags, '-e', script], {
      encoding: 'utf8',
      timeout: 10_000,
    })
    expect(child.error).toBeUndefined()
    expect(child.stdout).toBe('3 segments')
    expect(child.status).toBe(0)
  })
})

describe('options', () => {
  it('refuses unknown option names with a TypeError naming them', () => {
    expect(() => createSigningThreads({ thread: 2 } as never)).toThrow(
      new TypeError('"thread" is not an option of createSigningThreads; did you mean "threads"?'),
    )
  })

  it.each([
    ['threads', 0],
    ['threads', 17],
    ['threads', 1.5],
    ['maxBatch', 0],
    ['maxBatch', 4097],
    ['maxQueued', 0],
  ])('refuses %s = %s', (option, value) => {
    expect(() => createSigningThreads({ [option]: value })).toThrow(TypeError)
    expect(() => createSigningThreads({ [option]: value })).toThrow(`"${option}"`)
  })

  it('refuses a "threads" option of createJWTSigner that is not signing threads', async () => {
    const { privateKey } = await keyPairFor('ES256')
    expect(() =>
      createJWTSigner({ key: privateKey, alg: 'ES256', threads: { threads: 1 } as never }),
    ).toThrow(new TypeError('"threads" must be signing threads from createSigningThreads()'))
  })
})
