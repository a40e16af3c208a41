import { JOSEError } from '../../errors.js'

/** Splits a compact JWS into its three parts, refusing anything else (a JWE, extra dots, oversize). */
export function splitCompactJWS(jws: unknown, maxLength: number): [string, string, string] {
  if (typeof jws !== 'string') throw new JOSEError('ERR_JWS_INVALID', 'a compact JWS must be a string')
  if (jws.length > maxLength) {
    throw new JOSEError('ERR_JOSE_TOKEN_TOO_LARGE', `the token is longer than ${maxLength} characters`)
  }
  const first = jws.indexOf('.')
  const second = first === -1 ? -1 : jws.indexOf('.', first + 1)
  if (second === -1) throw new JOSEError('ERR_JWS_INVALID', 'a compact JWS has three parts')
  if (jws.indexOf('.', second + 1) !== -1) {
    const parts = jws.split('.').length
    throw new JOSEError(
      'ERR_JWS_INVALID',
      parts === 5
        ? 'this is a JWE (five parts); decrypt it with a JWE function'
        : 'a compact JWS has exactly three parts',
    )
  }
  return [jws.slice(0, first), jws.slice(first + 1, second), jws.slice(second + 1)]
}
