import { Buffer } from 'node:buffer'

/**
 * Every 32/57-byte encoding (RFC 8032 §5.1.2, §5.2.2; canonical or with y >= p, either sign of x = 0)
 * of the Edwards points of small order: the 8-torsion of edwards25519 and the 4-torsion of edwards448.
 * With such a public key a fixed signature verifies every message (the identity with R = identity and
 * S = 0), and OpenSSL imports and verifies with them, so they are refused as keys.
 */
const SMALL_ORDER: Readonly<Record<string, ReadonlySet<string>>> = {
  Ed25519: new Set([
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0000000000000000000000000000000000000000000000000000000000000080',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000080',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  ]),
  Ed448: new Set(
    [
      ['00'.repeat(56), '00'],
      ['00'.repeat(56), '80'],
      [`${'00'.repeat(28)}${'ff'.repeat(28)}`, '00'],
      [`${'00'.repeat(28)}${'ff'.repeat(28)}`, '80'],
      [`01${'00'.repeat(55)}`, '00'],
      [`01${'00'.repeat(55)}`, '80'],
      [`fe${'ff'.repeat(27)}fe${'ff'.repeat(27)}`, '00'],
      [`fe${'ff'.repeat(27)}fe${'ff'.repeat(27)}`, '80'],
      [`${'ff'.repeat(28)}fe${'ff'.repeat(27)}`, '00'],
      [`${'ff'.repeat(28)}fe${'ff'.repeat(27)}`, '80'],
    ].map(([y, sign]) => `${y}${sign}`),
  ),
}

/** True when `x` (the OKP public key bytes) encodes a small-order point of the Edwards curve `crv`. */
export function isSmallOrderEdwardsPoint(crv: string | undefined, x: Uint8Array): boolean {
  const set = crv === undefined ? undefined : SMALL_ORDER[crv]
  return set?.has(Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex')) === true
}
