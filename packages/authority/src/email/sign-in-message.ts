import { html } from '../pages/html.js'
import type { MailMessage } from './mailer.js'

export interface SignInMessageInput {
  readonly to: string
  readonly code: string
  readonly link: string
  readonly issuer: string
  readonly validMinutes: number
}

/** The code in groups of four, easier to read and type; the form accepts it with or without the space. */
export const formatCode = (code: string) => code.replace(/(\d{4})(?=\d)/g, '$1 ')

/**
 * The one sign-in email: a one-time code for the device that asked, and a link that opens a
 * confirmation page on it. Plain text and HTML say the same; the HTML has no images, no remote
 * content and no tracking.
 */
export function signInMessage({ to, code, link, issuer, validMinutes }: SignInMessageInput): MailMessage {
  const shown = formatCode(code)
  const host = new URL(issuer).host
  const text = [
    `Your Tessera sign-in code for ${host} is:`,
    '',
    `    ${shown}`,
    '',
    'Type it on the page where you asked to sign in, or open this link in the same browser:',
    '',
    link,
    '',
    `The code and the link work once, for ${validMinutes} minutes.`,
    'If you did not ask to sign in, ignore this email: nobody can sign in without the code or the link.',
    '',
  ].join('\n')
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your sign-in code</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a;">
<p>Your Tessera sign-in code for ${host} is:</p>
<p style="font-size: 1.6em; font-weight: bold; letter-spacing: 0.1em;">${shown}</p>
<p>Type it on the page where you asked to sign in, or open this link in the same browser:</p>
<p><a href="${link}">Sign in to ${host}</a></p>
<p>The code and the link work once, for ${validMinutes} minutes.</p>
<p>If you did not ask to sign in, ignore this email: nobody can sign in without the code or the link.</p>
</body></html>`
  return {
    to,
    subject: `Your sign-in code: ${shown}`,
    text,
    html: body.text,
    summary: `  code: ${shown}\n  link: ${link}`,
  }
}
