import type { SmtpCapture } from './smtp-capture.js'
import { csrfTokenOf, type WebClient } from './web-client.js'

/** Opens /signin and submits the address; returns the check page's response. */
export async function askForCode(client: WebClient, email: string, returnTo?: string) {
  const page = await client.get(returnTo ? `/signin?return_to=${encodeURIComponent(returnTo)}` : '/signin')
  const csrf = csrfTokenOf(page.text)
  const sent = await client.post('/signin', { csrf_token: csrf, email, return_to: returnTo ?? '' })
  return { csrf, sent }
}

/** The whole sign-in by typed code: ask, read the mail from the SMTP capture, type the code. */
export async function signInByCode(client: WebClient, smtp: SmtpCapture, email: string, returnTo?: string) {
  const { csrf, sent } = await askForCode(client, email, returnTo)
  if (sent.status !== 303) throw new Error(`sign-in request failed: ${sent.status} ${sent.text}`)
  const mail = await smtp.next(email.toLowerCase())
  if (mail.code === undefined) throw new Error('no code in the mail')
  const done = await client.post('/signin/code', { csrf_token: csrf, code: mail.code })
  if (done.status !== 303) throw new Error(`code refused: ${done.status} ${done.text}`)
  return { csrf, mail, done }
}
