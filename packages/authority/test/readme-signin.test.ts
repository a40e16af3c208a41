import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from '../src/config/defaults.js'

const section = readFileSync(new URL('../../../docs/signing-in.md', import.meta.url), 'utf8')

describe('docs/signing-in.md', () => {
  it('lists the sign-in settings with their real environment names and defaults', () => {
    const rows = [...section.matchAll(/^\| `(\w+)` \| `([A-Z_]+)` \| ([^|]+) \|/gm)]
    const names = rows.map((row) => row[1])
    expect(names).toEqual([
      'openSignup',
      'sessionIdleTimeout',
      'sessionLifetime',
      'smtpUrl',
      'emailFrom',
      'signinSendLimitAddress',
      'signinSendLimitIp',
      'authorizationCodeLifetime',
      'idTokenLifetime',
    ])
    for (const [, name, env] of rows) {
      expect(SETTINGS[name as keyof typeof SETTINGS].env).toBe(env)
    }
    expect(SETTINGS.signinSendLimitAddress.default).toBe(5)
    expect(SETTINGS.signinSendLimitIp.default).toBe(20)
    expect(section).toContain('**5 emails per hour to one address**')
    expect(section).toContain('**20 per\nhour requested from one client IP**')
  })

  it('shows the screenshots the browser test takes', () => {
    for (const name of ['signin', 'code', 'account', 'link-confirm']) {
      expect(section).toContain(`](screenshots/${name}.png)`)
      readFileSync(new URL(`../../../docs/screenshots/${name}.png`, import.meta.url))
    }
  })
})
