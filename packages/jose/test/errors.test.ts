import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, JOSEError, JWTClaimValidationError } from '../src/index.js'

const readme = readFileSync(new URL('../../../docs/error-codes.md', import.meta.url), 'utf8')

function readmeTable(): Record<string, string> {
  const section = /<!-- error-codes:start -->([\s\S]*)<!-- error-codes:end -->/.exec(readme)?.[1] ?? ''
  const rows: Record<string, string> = {}
  for (const match of section.matchAll(/^\| `([A-Z0-9_]+)` \| (.*) \|$/gm))
    rows[match[1] as string] = match[2] as string
  return rows
}

describe('error codes', () => {
  it('the table of docs/error-codes.md lists exactly the codes of ERROR_CODES, with the same meanings', () => {
    expect(readmeTable()).toEqual({ ...ERROR_CODES })
  })

  it('every code is ERR_ and upper snake case', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^ERR_[A-Z0-9]+(?:_[A-Z0-9]+)*$/)
  })

  it('JOSEError carries its code and defaults its message to the documented meaning', () => {
    const error = new JOSEError('ERR_JWT_EXPIRED')
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('ERR_JWT_EXPIRED')
    expect(error.message).toBe(ERROR_CODES.ERR_JWT_EXPIRED)
  })

  it('claim failures carry the claim and the reason', () => {
    const error = new JWTClaimValidationError(
      'ERR_JWT_AUDIENCE_MISMATCH',
      'aud',
      'names no accepted audience',
      {},
    )
    expect(error).toBeInstanceOf(JOSEError)
    expect(error).toMatchObject({
      code: 'ERR_JWT_AUDIENCE_MISMATCH',
      claim: 'aud',
      reason: 'names no accepted audience',
    })
  })
})
