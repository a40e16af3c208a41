import type { AuthenticatorTransportFuture } from '@simplewebauthn/server'
import { html, type SafeHtml } from '../pages/html.js'
import type { PasskeyRecord } from '../storage/types.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

const TRANSPORTS: ReadonlySet<string> = new Set([
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
])

/** The transports the browser reported at registration, as hints for later ceremonies; known names only. */
export function transportsOf(passkey: PasskeyRecord): AuthenticatorTransportFuture[] {
  try {
    const parsed: unknown = JSON.parse(passkey.transports)
    return Array.isArray(parsed)
      ? parsed.filter(
          (item): item is AuthenticatorTransportFuture => typeof item === 'string' && TRANSPORTS.has(item),
        )
      : []
  } catch {
    return []
  }
}

/** The passkey as the admin API shows it: its public key as a JWK, with the RFC 7638 thumbprint. */
export function passkeyView(passkey: PasskeyRecord) {
  return {
    id: passkey.id,
    user_id: passkey.userId,
    name: passkey.name,
    jwk: JSON.parse(passkey.publicJwk) as Record<string, unknown>,
    thumbprint: passkey.thumbprint,
    cose_alg: passkey.alg,
    sign_count: passkey.signCount,
    transports: transportsOf(passkey),
    aaguid: passkey.aaguid,
    backup_eligible: passkey.backupEligible,
    backup_state: passkey.backupState,
    user_verified: passkey.userVerified,
    created_at: iso(passkey.createdAt),
    last_used_at: iso(passkey.lastUsedAt),
    revoked_at: iso(passkey.revokedAt),
  }
}

const when = (ms: number | null): SafeHtml => {
  if (ms === null) return html`never`
  const value = new Date(ms).toISOString()
  return html`<time datetime="${value}">${value.slice(0, 16).replace('T', ' ')} UTC</time>`
}

/** A name people give a passkey: printable, trimmed, 1–60 characters. */
export function passkeyName(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined
  const name = raw.trim().replace(/\s+/g, ' ')
  return name.length >= 1 && name.length <= 60 && !/[\p{Cc}\p{Cf}]/u.test(name) ? name : undefined
}

/**
 * The account page's passkey section: each passkey with a rename form and a remove button (plain
 * forms, CSRF-protected), then the "Add a passkey" control, which the script enables only where the
 * browser has WebAuthn.
 */
export function passkeySection(passkeys: readonly PasskeyRecord[], csrf: string): SafeHtml {
  const active = passkeys.filter((passkey) => passkey.revokedAt === null)
  const rows = active.map(
    (passkey) => html`<tr data-passkey="${passkey.id}">
<td><form method="post" action="/account/passkeys/rename" class="inline rename">
<input type="hidden" name="csrf_token" value="${csrf}">
<input type="hidden" name="passkey_id" value="${passkey.id}">
<label class="skip" for="name-${passkey.thumbprint}">Name</label>
<input type="text" id="name-${passkey.thumbprint}" name="name" value="${passkey.name}" maxlength="60" required>
<button type="submit" class="link">Rename</button>
</form></td>
<td>${passkey.backupEligible ? 'Synced' : 'This device only'}</td>
<td>${when(passkey.createdAt)}</td>
<td>${when(passkey.lastUsedAt)}</td>
<td><form method="post" action="/account/passkeys/remove" class="inline">
<input type="hidden" name="csrf_token" value="${csrf}">
<input type="hidden" name="passkey_id" value="${passkey.id}">
<button type="submit" class="link" aria-label="Remove passkey ${passkey.name}">Remove</button>
</form></td>
</tr>`,
  )
  const list =
    active.length === 0
      ? html`<p id="passkeys-empty">You have no passkeys yet. A passkey lets you sign in with your device's
screen lock (fingerprint, face or PIN) instead of an emailed code.</p>`
      : html`<table id="passkeys">
<caption class="hint">Passkeys that can sign in to your account.</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col"><span class="skip">Action</span></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
  return html`${list}
<div class="stack" id="add-passkey" data-csrf="${csrf}" hidden>
<label for="passkey-name">Name for the new passkey</label>
<input type="text" id="passkey-name" maxlength="60" placeholder="e.g. Work laptop">
<button type="button" id="add-passkey-button">Add a passkey</button>
<p class="error" id="passkey-error" role="alert" hidden></p>
</div>
<p class="hint" id="passkey-unsupported">Adding a passkey needs a browser with passkey support and JavaScript.</p>`
}
