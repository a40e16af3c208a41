import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import nodemailer from 'nodemailer'

export interface MailMessage {
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html: string
  /** What development mode prints to the console instead of sending (the code and the link). */
  readonly summary: string
}

export interface Mailer {
  /** `smtp` when TESSERA_SMTP_URL is set; `development` otherwise (console + outbox files). */
  readonly mode: 'smtp' | 'development'
  /** Where development mode writes messages; undefined in SMTP mode. */
  readonly outbox: string | undefined
  send(message: MailMessage): Promise<void>
  close(): void
}

export interface MailerOptions {
  readonly smtpUrl: string | undefined
  readonly from: string
  readonly dataDir: string
  /** Development mode's console; default process.stdout. */
  readonly print?: (text: string) => void
}

/** No tracking pixels, no link rewriting, no read receipts: only what the message itself says. */
const HEADERS = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' }

function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url)
  return {
    mode: 'smtp',
    outbox: undefined,
    async send(message) {
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: HEADERS,
      })
    },
    close: () => transport.close(),
  }
}

/**
 * Development mode: no mail leaves the machine. Each message is rendered to MIME by nodemailer
 * exactly as it would be sent, written to <dataDir>/outbox/ (0600: it holds a sign-in code), and its
 * code and link are printed to the console.
 */
function developmentMailer(dataDir: string, from: string, print: (text: string) => void): Mailer {
  const outbox = join(dataDir, 'outbox')
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  return {
    mode: 'development',
    outbox,
    async send(message) {
      const info = await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: HEADERS,
      })
      mkdirSync(outbox, { recursive: true, mode: 0o700 })
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`
      const path = join(outbox, name)
      writeFileSync(path, info.message as Buffer, { mode: 0o600, flag: 'wx' })
      print(
        `\n[development mode] sign-in email to ${message.to} (not sent; saved as ${path})\n${message.summary}\n`,
      )
    },
    close: () => transport.close(),
  }
}

export function createMailer(options: MailerOptions): Mailer {
  if (options.smtpUrl !== undefined) return smtpMailer(options.smtpUrl, options.from)
  return developmentMailer(
    options.dataDir,
    options.from,
    options.print ?? ((text) => void process.stdout.write(text)),
  )
}
