import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeHtml, html, joinHtml } from '../src/pages/html.js'
import { cookieNames, readCookie } from '../src/sessions/cookies.js'
import { safeReturnTo } from '../src/signin/return-to.js'
import { normalizeEmail } from '../src/users/normalize-email.js'
import { type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { WebClient } from './helpers/web-client.js'

describe('html tagged template', () => {
  it('escapes every interpolated value by default, in text and in attributes', () => {
    const hostile = `<script>alert("x")</script>' onmouseover='x' \`&`
    const page = html`<p title="${hostile}">${hostile}</p>`
    expect(page.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39; &#96;&amp;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39; &#96;&amp;</p>',
    )
  })

  it('keeps nested SafeHtml, joins arrays, and renders nothing for null, undefined and false', () => {
    const items = ['<a>', 'b'].map((item) => html`<li>${item}</li>`)
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.text).toBe(
      '<ul><li>&lt;a&gt;</li><li>b</li></ul>0',
    )
    expect(joinHtml(items, '<br>').text).toBe('<li>&lt;a&gt;</li>&lt;br&gt;<li>b</li>')
    expect(escapeHtml('a&b')).toBe('a&amp;b')
  })

  it('refuses objects that are not SafeHtml (a look-alike cannot smuggle markup in)', () => {
    const fake = { text: '<script>' } as never
    expect(() => html`${fake}`).toThrow(TypeError)
  })
})

describe('return_to', () => {
  it.each([
    ['/account', '/account'],
    [
      '/authorize?client_id=a&redirect_uri=https%3A%2F%2Fapp',
      '/authorize?client_id=a&redirect_uri=https%3A%2F%2Fapp',
    ],
    ['//evil.example', '/account'],
    ['/\\evil.example', '/account'],
    ['\\\\evil.example', '/account'],
    ['https://evil.example/', '/account'],
    ['javascript:alert(1)', '/account'],
    ['/a\nb', '/account'],
    ['/a\u0000', '/account'],
    ['', '/account'],
    [`/${'a'.repeat(2048)}`, '/account'],
    [`/a${' '.repeat(1000)}b`, '/account'],
  ])('%j → %j', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected)
  })

  it('ignores anything that is not a string', () => {
    expect(safeReturnTo(['/a', '/b'])).toBe('/account')
    expect(safeReturnTo(undefined)).toBe('/account')
  })
})

describe('email addresses', () => {
  it.each([
    [' Ann.Lee+tag@Example.COM ', 'ann.lee+tag@example.com'],
    ['a@b.co', 'a@b.co'],
    ['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
  ])('normalises %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected)
  })

  it.each([
    'no-at',
    'a@b',
    'a@@b.co',
    'a@b..co',
    '.a@b.co',
    'a b@c.co',
    '"quoted"@b.co',
    'a@-b.co',
    `${'a'.repeat(65)}@b.co`,
    `a@${'b'.repeat(250)}.co`,
    'a\u0000@b.co',
    'ü@b.co',
  ])('refuses %j', (input) => {
    expect(normalizeEmail(input)).toBeUndefined()
  })
})

describe('cookies', () => {
  it('uses __Host- names with Secure except for plain-http loopback development', () => {
    expect(cookieNames('https://auth.example')).toEqual({
      session: '__Host-tessera-session',
      signin: '__Host-tessera-signin',
      secure: true,
    })
    expect(cookieNames('http://localhost:3000').secure).toBe(false)
    expect(cookieNames('http://127.0.0.1:3000').session).toBe('tessera-session')
    expect(cookieNames('http://auth.example').secure).toBe(true)
  })

  it('reads only well-shaped values, and none when the name is repeated', () => {
    const value = 'A'.repeat(43)
    expect(readCookie(`x=1; tessera-session=${value}`, 'tessera-session')).toBe(value)
    expect(
      readCookie(`tessera-session=${value}; tessera-session=${value}`, 'tessera-session'),
    ).toBeUndefined()
    expect(readCookie('tessera-session=short', 'tessera-session')).toBeUndefined()
    expect(readCookie(undefined, 'tessera-session')).toBeUndefined()
  })
})

describe('pages over HTTP', () => {
  const dir = tempDir()
  let running: RunningAuthority
  beforeAll(async () => {
    running = await startAuthority({ dataDir: dir.path })
  })
  afterAll(async () => {
    await running?.close()
    dir.remove()
  })

  it('serves every page with the strict CSP and no-referrer, and the stylesheet from our origin', async () => {
    const client = new WebClient(running.url)
    for (const path of ['/', '/signin', '/signin/link?token=x']) {
      const page = await client.get(path)
      // The sign-in page runs the passkey script, which may fetch from our origin, and only there.
      const connect = path === '/signin' ? " connect-src 'self';" : ''
      expect(page.headers.get('content-security-policy'), path).toBe(
        `default-src 'none'; style-src 'self'; script-src 'self';${connect} img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      )
      expect(page.headers.get('referrer-policy')).toBe('no-referrer')
      expect(page.headers.get('x-content-type-options')).toBe('nosniff')
      expect(page.headers.get('cache-control')).toBe('no-store')
      // Scripts only as files of our own (/assets/), never inline.
      expect(page.text).not.toMatch(
        /<script(?! src="\/assets\/[a-z-]+\.js" defer><\/script>)|style=|https?:\/\/(?!127\.0\.0\.1)[a-z]/i,
      )
      expect(page.text).toContain('<link rel="stylesheet" href="/assets/tessera.css">')
    }
    const css = await client.get('/assets/tessera.css')
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
  })

  it('labels every form field, and the landing page says what is running', async () => {
    const client = new WebClient(running.url)
    const signin = await client.get('/signin')
    expect(signin.text).toContain('<label for="email">Email address</label>')
    // "username webauthn": the field also offers the user's passkeys in its autofill (conditional UI).
    expect(signin.text).toContain('id="email" name="email" autocomplete="username webauthn"')
    const landing = await client.get('/')
    expect(landing.text).toContain(`<code>${running.url}</code>`)
    expect(landing.text).toContain('Sign in or create an account')
  })

  it('answers an unknown page with a 404 page for browsers, the JSON error body for API clients', async () => {
    const page = await new WebClient(running.url).get('/no-such-page', { accept: 'text/html,*/*' })
    expect(page.status).toBe(404)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const api = await fetch(`${running.url}/no-such-page`)
    expect(api.status).toBe(404)
    expect(await api.json()).toEqual({ error: 'invalid_request', error_description: 'no such endpoint' })
  })

  it('sends the signed-out /account to sign-in with return_to', async () => {
    const answer = await new WebClient(running.url).get('/account')
    expect(answer.status).toBe(303)
    expect(answer.headers.get('location')).toBe('/signin?return_to=/account')
  })
})
