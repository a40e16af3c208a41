import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Signs a person in at the authority's own pages over plain HTTP, as a browser would (cookies kept,
 * Origin on form posts), reading the code from the development outbox (`<dataDir>/outbox/`): the
 * first proven address creates the user.
 */
export async function signInByCode(url: string, dataDir: string, email: string): Promise<void> {
  const jar = new Map<string, string>()
  const send = async (method: string, path: string, form?: Record<string, string>) => {
    const response = await fetch(new URL(path, url), {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded', origin: url } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const eq = pair.indexOf('=')
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim())
    }
    return { status: response.status, text: await response.text() }
  }
  const page = await send('GET', '/signin')
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)?.[1]
  if (!csrf) throw new Error('no csrf_token on the sign-in page')
  const outbox = join(dataDir, 'outbox')
  const before = new Set(safeList(outbox))
  const asked = await send('POST', '/signin', { csrf_token: csrf, email, return_to: '' })
  if (asked.status !== 303) throw new Error(`sign-in request failed: ${asked.status}`)
  let code: string | undefined
  for (let attempt = 0; attempt < 100 && code === undefined; attempt++) {
    const fresh = safeList(outbox).filter((name) => !before.has(name))
    const mail = fresh.map((name) => readFileSync(join(outbox, name), 'utf8')).join('\n')
    code = /^ {4}(\d{4} \d{4})\r?$/m.exec(mail)?.[1]?.replace(' ', '')
    if (code === undefined) await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (!code) throw new Error(`no sign-in code in the outbox for ${email}`)
  const done = await send('POST', '/signin/code', { csrf_token: csrf, code })
  if (done.status !== 303) throw new Error(`code refused: ${done.status}`)
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
