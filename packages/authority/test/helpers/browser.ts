import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium, type Page } from 'playwright-core'

// Debian's Chromium, quiet: no network of its own (component updates, sync, QUIC probes).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * The pages' browser tests: Debian's Chromium through playwright-core (no browser download), a fresh
 * profile per context, and screenshots that go to a temporary directory — or, with
 * TESSERA_UPDATE_SCREENSHOTS=1, replace the ones committed under docs/screenshots/.
 */
export class BrowserLab {
  readonly #updating = Boolean(process.env.TESSERA_UPDATE_SCREENSHOTS)
  readonly #screenshots = this.#updating
    ? new URL('../../../../docs/screenshots/', import.meta.url).pathname
    : mkdtempSync(join(tmpdir(), 'tessera-screens-'))
  readonly #profiles: string[] = []

  constructor() {
    mkdirSync(this.#screenshots, { recursive: true })
  }

  /** A browser with a profile of its own (a persistent context is how Playwright takes a fresh --user-data-dir). */
  open(viewport = { width: 960, height: 760 }): Promise<BrowserContext> {
    const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'))
    this.#profiles.push(profile)
    return chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
      locale: 'en-GB',
    })
  }

  /** A full-page screenshot named `<name>.png`. */
  async shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(this.#screenshots, `${name}.png`), fullPage: true })
  }

  /** Removes the profiles, and the screenshots unless they were meant for docs/. */
  cleanup(): void {
    for (const profile of this.#profiles) rmSync(profile, { recursive: true, force: true })
    if (!this.#updating) rmSync(this.#screenshots, { recursive: true, force: true })
  }
}
