// The passkey ceremonies of the account and sign-in pages, served from /assets/ beside the
// SimpleWebAuthn browser bundle (global SimpleWebAuthnBrowser). No inline script anywhere: the CSP
// allows script files from our origin only, and fetches to our origin only.
;(() => {
  const lib = globalThis.SimpleWebAuthnBrowser
  const state = (value) => {
    document.documentElement.dataset.passkey = value
  }
  if (!lib?.browserSupportsWebAuthn()) {
    state('unsupported')
    return
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    })
    const data = await response.json().catch(() => ({}))
    if (!response.ok) throw new Error(data.error_description || 'The server refused the passkey.')
    return data
  }

  const isAbort = (error) => error?.name === 'AbortError' || error?.code === 'ERROR_CEREMONY_ABORTED'
  const messageOf = (error) =>
    error?.name === 'NotAllowedError'
      ? 'The passkey request was cancelled or timed out. Try again.'
      : error?.message || 'Something went wrong with the passkey.'
  const show = (element, message) => {
    element.textContent = message
    element.hidden = false
  }

  // Account page: "Add a passkey".
  const add = document.getElementById('add-passkey')
  if (add) {
    const button = document.getElementById('add-passkey-button')
    const error = document.getElementById('passkey-error')
    add.hidden = false
    document.getElementById('passkey-unsupported')?.setAttribute('hidden', '')
    button.addEventListener('click', async () => {
      button.disabled = true
      error.hidden = true
      try {
        const csrf = add.dataset.csrf
        const optionsJSON = await post('/passkeys/registration/options', { csrf_token: csrf })
        const response = await lib.startRegistration({ optionsJSON })
        const name = document.getElementById('passkey-name').value
        await post('/passkeys/registration/verify', { csrf_token: csrf, name, response })
        state('registered')
        window.location.reload()
      } catch (failure) {
        show(error, messageOf(failure))
        button.disabled = false
      }
    })
  }

  // Sign-in page: "Sign in with a passkey", and conditional UI on the email field.
  const signin = document.getElementById('passkey-signin')
  const form = document.getElementById('signin-form')
  if (signin && form) {
    const button = document.getElementById('passkey-signin-button')
    const error = document.getElementById('passkey-signin-error')
    const csrf = form.elements.csrf_token.value
    const returnTo = form.elements.return_to.value
    signin.hidden = false

    async function ceremony(useBrowserAutofill) {
      const optionsJSON = await post('/passkeys/authentication/options', { csrf_token: csrf })
      let response
      try {
        response = await lib.startAuthentication({ optionsJSON, useBrowserAutofill })
      } catch (failure) {
        // Nobody asked for the autofill request: when it ends unanswered, say nothing.
        if (useBrowserAutofill && !isAbort(failure)) {
          state('autofill-ended')
          return
        }
        throw failure
      }
      state('verifying')
      const done = await post('/passkeys/authentication/verify', {
        csrf_token: csrf,
        return_to: returnTo,
        response,
      })
      state('signed-in')
      window.location.assign(done.location)
    }
    const fail = (failure) => {
      if (isAbort(failure)) return
      state('failed')
      show(error, messageOf(failure))
    }

    button.addEventListener('click', () => {
      error.hidden = true
      state('modal')
      ceremony(false).catch(fail)
    })
    // Typing an email and submitting it is the other way in: end the waiting autofill request.
    form.addEventListener('submit', () => {
      if (document.documentElement.dataset.passkey === 'autofill') state('aborted')
      lib.WebAuthnAbortService.cancelCeremony()
    })
    lib.browserSupportsWebAuthnAutofill().then((supported) => {
      if (!supported) return
      state('autofill')
      ceremony(true).catch(fail)
    })
  }
})()
