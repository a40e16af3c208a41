import { type BrowserContext, chromium } from 'playwright-core'
import { tempDir } from './authority.js'

/** Debian's Chromium, headless, with a fresh profile and nothing that talks beyond 127.0.0.1. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = tempDir('tessera-chromium-')
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return {
    context,
    close: async () => {
      await context.close()
      profile.remove()
    },
  }
}
