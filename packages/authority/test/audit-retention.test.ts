import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManualClock } from '../src/lib/clock.js'
import { type RunningAuthority, registerClient, startAuthority, tempDir } from './helpers/authority.js'
import { admin } from './helpers/devices.js'

const DAY = 86_400_000

/** Issue 11 item 9: the audit log is purged past its retention, and only past it. */
describe('audit retention', () => {
  const dir = tempDir()
  const clock = createManualClock()
  let server: RunningAuthority

  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path, auditRetention: '2d' }, clock)
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('drops events older than auditRetention at the periodic purge', async () => {
    const old = await registerClient(server.url)
    clock.advance(DAY)
    const recent = await registerClient(server.url)
    const subjects = async () =>
      (await admin(server.url, 'GET', '/audit')).body.events
        .filter((event: { event: string }) => event.event === 'client.registered')
        .map((event: { subject: string }) => event.subject)
    expect(await subjects()).toEqual([recent.client_id, old.client_id])
    clock.advance(DAY + 1000)
    await server.authority.purgeExpired()
    expect(await subjects()).toEqual([recent.client_id])
  })
})
