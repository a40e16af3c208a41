import { describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load-config.js'
import { checkOptions } from '../src/lib/check-options.js'
import { createAuthority } from '../src/server.js'

/** Unknown option names are programmer mistakes: a TypeError naming the option, never ignored. */
describe('options are checked', () => {
  const config = loadConfig({}, { dataDir: '/nonexistent/never-created', logLevel: 'silent' })

  it('createAuthority refuses an unknown option before opening anything, suggesting the close one', async () => {
    await expect(createAuthority({ config, clok: undefined } as never)).rejects.toThrow(
      new TypeError('"clok" is not an option of createAuthority; did you mean "clock"?'),
    )
    await expect(createAuthority({ config, storge: undefined } as never)).rejects.toThrow(
      new TypeError('"storge" is not an option of createAuthority; did you mean "storage"?'),
    )
    await expect(createAuthority({ config, replicas: 3 } as never)).rejects.toThrow(
      new TypeError('"replicas" is not an option of createAuthority'),
    )
  })

  it('loadConfig refuses override names that are no setting', () => {
    expect(() => loadConfig({}, { prot: 4000 } as never)).toThrow(
      new TypeError('"prot" is not an option of loadConfig; did you mean "port"?'),
    )
    expect(() => loadConfig({}, { rateLimitPerClients: 5 } as never)).toThrow(
      new TypeError(
        '"rateLimitPerClients" is not an option of loadConfig; did you mean "rateLimitPerClient"?',
      ),
    )
    expect(() => loadConfig({}, { unrelatedThing: 1 } as never)).toThrow(
      new TypeError('"unrelatedThing" is not an option of loadConfig'),
    )
  })

  it('the checker suggests only near names and refuses non-objects', () => {
    expect(() => checkOptions('f', { timeout: 1 }, ['timeoutMs'])).toThrow(
      '"timeout" is not an option of f; did you mean "timeoutMs"?',
    )
    expect(() => checkOptions('f', { x: 1 }, ['timeoutMs'])).toThrow(/^"x" is not an option of f$/)
    expect(() => checkOptions('f', [] as never, ['a'])).toThrow(TypeError)
    expect(() => checkOptions('f', { a: 1 }, ['a'])).not.toThrow()
  })
})
