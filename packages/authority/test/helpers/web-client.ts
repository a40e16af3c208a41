/**
 * A small browser stand-in over real HTTP: a cookie jar (names and values only, as a browser would
 * send them back), no redirects followed, and the Origin header a browser sends on form posts.
 */
export interface WebResponse {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly setCookies: string[]
}

export class WebClient {
  readonly base: string
  readonly cookies = new Map<string, string>()
  userAgent = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0'

  constructor(base: string) {
    this.base = base
  }

  #remember(response: Response): string[] {
    const setCookies = response.headers.getSetCookie()
    for (const line of setCookies) {
      const [pair = ''] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      if (/Max-Age=0/i.test(line) || value === '') this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    if (response.headers.get('clear-site-data')?.includes('"cookies"')) this.cookies.clear()
    return setCookies
  }

  #cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {}
    return { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
  }

  async request(
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string> } = {},
  ) {
    const response = await fetch(new URL(path, this.base), {
      method,
      redirect: 'manual',
      headers: { 'user-agent': this.userAgent, ...this.#cookieHeader(), ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    })
    const setCookies = this.#remember(response)
    return { status: response.status, headers: response.headers, text: await response.text(), setCookies }
  }

  get(path: string, headers: Record<string, string> = {}): Promise<WebResponse> {
    return this.request('GET', path, { headers })
  }

  /** A form POST as a browser sends it from one of our pages (Origin set), unless headers override. */
  post(
    path: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<WebResponse> {
    return this.request('POST', path, {
      body: new URLSearchParams(form).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: new URL(this.base).origin,
        ...headers,
      },
    })
  }
}

/** The value of the first hidden csrf_token field in a page. */
export function csrfTokenOf(page: string): string {
  const token = /name="csrf_token" value="([^"]+)"/.exec(page)?.[1]
  if (token === undefined) throw new Error('no csrf_token in the page')
  return token
}

/** The data-error code of an error page, or undefined. */
export function errorCodeOf(page: string): string | undefined {
  return /data-error="([^"]*)"/.exec(page)?.[1]
}
