import { html, type SafeHtml } from '../pages/html.js'

export interface FieldError {
  readonly message: string
}

function errorBlock(id: string, error: FieldError | undefined): SafeHtml | string {
  return error ? html`<p class="error" id="${id}" role="alert">${error.message}</p>` : ''
}

/**
 * The email form: one field, one button; the field offers passkeys in its autofill (conditional
 * UI), and the script reveals "Sign in with a passkey" where the browser has WebAuthn.
 */
export function signInForm(options: {
  csrfToken: string
  returnTo: string
  email?: string
  error?: FieldError
  signedInAs?: string
}): SafeHtml {
  const { csrfToken, returnTo, email, error, signedInAs } = options
  return html`${signedInAs ? html`<p class="notice">You are signed in as <strong>${signedInAs}</strong>. Signing in again replaces that session in this browser.</p>` : ''}
<p>Enter your email address. We will send you a one-time code and a sign-in link — no password needed.
If you have no account yet, this creates one.</p>
<form method="post" action="/signin" class="stack" id="signin-form" novalidate>
<input type="hidden" name="csrf_token" value="${csrfToken}">
<input type="hidden" name="return_to" value="${returnTo}">
<label for="email">Email address</label>
${errorBlock('email-error', error)}
<input type="email" id="email" name="email" autocomplete="username webauthn" inputmode="email" required
 maxlength="254" value="${email ?? ''}"${error ? html` aria-invalid="true" aria-describedby="email-error"` : html` aria-describedby="email-hint"`} autofocus>
<p class="hint" id="email-hint">We only use it to sign you in.</p>
<button type="submit">Email me a code</button>
</form>
<div class="stack" id="passkey-signin" hidden>
<p>Or, if you added a passkey to your account:</p>
<button type="button" class="secondary" id="passkey-signin-button">Sign in with a passkey</button>
<p class="error" id="passkey-signin-error" role="alert" hidden></p>
</div>`
}

/** "Check your email": the same for every address, known or not, so it reveals nothing. */
export function checkEmailBody(options: {
  csrfToken: string
  email: string
  resent?: boolean
  error?: FieldError
  code?: string
}): SafeHtml {
  const { csrfToken, email, resent, error, code } = options
  return html`<p role="status">${
    resent ? 'A new code is on its way' : 'We sent a code'
  } to <strong>${email}</strong> if that address can sign in here. It works for 10 minutes.
${resent ? 'The previous code no longer works.' : ''}</p>
<form method="post" action="/signin/code" class="stack" novalidate>
<input type="hidden" name="csrf_token" value="${csrfToken}">
<label for="code">Sign-in code</label>
<p class="hint" id="code-hint">8 digits, from the email. Or open the email's link in this browser.</p>
${errorBlock('code-error', error)}
<input type="text" id="code" name="code" class="code" inputmode="numeric" autocomplete="one-time-code"
 maxlength="12" required value="${code ?? ''}" aria-describedby="${error ? 'code-error code-hint' : 'code-hint'}"${
   error ? html` aria-invalid="true"` : ''
 } autofocus>
<button type="submit">Sign in</button>
</form>
<h2>No email?</h2>
<p>Check your spam folder, or:</p>
<form method="post" action="/signin/resend" class="stack">
<input type="hidden" name="csrf_token" value="${csrfToken}">
<button type="submit" class="secondary">Send a new code</button>
</form>
<p><a href="/signin">Use a different email address</a></p>`
}

/** The magic link's landing page: GET renders this, only the button's POST signs in. */
export function confirmLinkBody(options: { csrfToken: string; token: string; email: string }): SafeHtml {
  return html`<p>Sign in as <strong>${options.email}</strong> in this browser?</p>
<form method="post" action="/signin/link" class="stack">
<input type="hidden" name="csrf_token" value="${options.csrfToken}">
<input type="hidden" name="token" value="${options.token}">
<button type="submit">Sign in</button>
</form>
<p class="hint">This extra step keeps mail scanners that open links from using yours up.</p>`
}

/** The link opened somewhere else than where the sign-in started: nobody is signed in. */
export function otherBrowserBody(): SafeHtml {
  return html`<div class="notice" role="status" data-state="other-browser">
<p>This sign-in link belongs to the browser where you asked for it, and this is a different one
(or its sign-in expired). Nobody has been signed in.</p>
</div>
<p>Go back to that device and type the code from the email there. Or <a href="/signin">start again here</a>.</p>`
}
