import { html, type SafeHtml } from '../../pages/html.js'
import type { AuditEvent, KeyRecord } from '../../storage/types.js'
import { CONSOLE_PATH } from './admin-session.js'

const when = (ms: number | null): SafeHtml => {
  if (ms === null) return html`—`
  const iso = new Date(ms).toISOString()
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`
}

export function consoleSignInForm(error?: string): SafeHtml {
  return html`<p>Operators only. Sign in with the authority's admin token (<code>data/admin-token</code> or
<code>TESSERA_ADMIN_TOKEN</code>); the console session lasts 30 minutes.</p>
${error ? html`<div class="error" role="alert"><p id="token-error">${error}</p></div>` : ''}
<form method="post" action="${CONSOLE_PATH}/signin" class="stack">
<label for="admin_token">Admin token</label>
<input type="password" id="admin_token" name="admin_token" autocomplete="off" spellcheck="false" required${
    error ? html` aria-invalid="true" aria-describedby="token-error"` : ''
  }>
<button type="submit">Sign in to the console</button>
</form>`
}

/** Notices after an action, by a code from this closed set (the query never carries text). */
export const NOTICES = {
  rotated: 'Rotated: a new key signs from now on; the previous one is retired.',
  revoked: 'Key revoked: it left the JWK set and its tokens are inactive at introspection.',
  killed: 'Kill switch fired: every refresh family and access token issued before now is revoked.',
} as const

export type Notice = keyof typeof NOTICES

export interface ConsoleView {
  readonly csrfToken: string
  readonly events: readonly AuditEvent[]
  readonly keys: readonly KeyRecord[]
  readonly notice?: Notice | undefined
}

function eventRows(events: readonly AuditEvent[]): SafeHtml {
  if (events.length === 0) return html`<p class="hint">No security events among the latest audit events.</p>`
  return html`<table id="security-events">
<thead><tr><th scope="col">When</th><th scope="col">Rule</th><th scope="col">Subject</th><th scope="col">Detail</th></tr></thead>
<tbody>${events.map(
    (event) => html`<tr data-rule="${event.event.slice('security.'.length)}">
<td>${when(event.at)}</td><td>${event.event.slice('security.'.length)}</td><td><code>${event.subject}</code></td><td><code>${event.detail}</code></td>
</tr>`,
  )}</tbody>
</table>`
}

function keyRows(keys: readonly KeyRecord[], csrfToken: string): SafeHtml {
  return html`<table id="keys">
<thead><tr><th scope="col">Key id</th><th scope="col">Alg</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Signing since</th><th scope="col">Retired</th><th scope="col"><span class="skip">Action</span></th></tr></thead>
<tbody>${keys.map(
    (key) => html`<tr data-kid="${key.kid}" data-state="${key.state}">
<td><code>${key.kid}</code></td><td>${key.alg}</td><td>${key.state}</td><td>${when(key.createdAt)}</td><td>${when(key.activatedAt)}</td><td>${when(key.retiredAt)}</td>
<td>${
      key.state === 'revoked'
        ? ''
        : html`<form method="post" action="${CONSOLE_PATH}/keys/revoke" class="inline">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<input type="hidden" name="kid" value="${key.kid}">
<button type="submit" class="link" aria-label="Revoke key ${key.kid}">Revoke</button>
</form>`
    }</td>
</tr>`,
  )}</tbody>
</table>`
}

/** The console: recent security events, the keys with a revoke button each, rotate, the kill switch. */
export function consoleBody(view: ConsoleView): SafeHtml {
  const { csrfToken } = view
  return html`<div class="console">
${view.notice ? html`<div class="notice" role="status"><p>${NOTICES[view.notice]}</p></div>` : ''}
<form method="post" action="${CONSOLE_PATH}/signout" class="inline">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<button type="submit" class="link">Sign out of the console</button>
</form>
<h2>Recent security events</h2>
${eventRows(view.events)}
<h2>Signing keys</h2>
${keyRows(view.keys, csrfToken)}
<form method="post" action="${CONSOLE_PATH}/keys/rotate" class="stack">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<button type="submit">Rotate now</button>
<p class="hint">The next key starts signing at once; tokens signed by the current one stay valid until they expire.</p>
</form>
<h2>Kill switch</h2>
<form method="post" action="${CONSOLE_PATH}/kill-switch" class="stack">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<label for="kind">Revoke everything issued before now to a</label>
<select id="kind" name="kind"><option value="device">device</option><option value="client">client</option><option value="subject">subject</option></select>
<label for="target">Its id</label>
<input type="text" id="target" name="target" autocomplete="off" spellcheck="false" required>
<button type="submit" class="secondary">Fire the kill switch</button>
</form>
</div>`
}
