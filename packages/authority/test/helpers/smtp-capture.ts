import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface CapturedMail {
  readonly to: string
  readonly parsed: ParsedMail
  /** The sign-in code as digits, and the magic link, read from the plain-text body. */
  readonly code: string | undefined
  readonly link: string | undefined
}

export interface SmtpCapture {
  readonly url: string
  readonly messages: CapturedMail[]
  /** Resolves with the next message to `to` (or one already received and not yet taken). */
  next(to: string, timeoutMs?: number): Promise<CapturedMail>
  close(): Promise<void>
}

export function readSignInMail(text: string): { code: string | undefined; link: string | undefined } {
  const code = /^ {4}(\d{4} \d{4})$/m.exec(text)?.[1]?.replace(' ', '')
  const link = /^(https?:\/\/\S+\/signin\/link\?token=[A-Za-z0-9_-]{43})$/m.exec(text)?.[1]
  return { code, link }
}

/** A real SMTP server on 127.0.0.1 (npm smtp-server), parsing every message with mailparser. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = []
  const taken = new Set<CapturedMail>()
  const waiters: { to: string; resolve: (mail: CapturedMail) => void }[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const to = session.envelope.rcptTo.map((rcpt) => rcpt.address).join(',')
          const mail: CapturedMail = { to, parsed, ...readSignInMail(parsed.text ?? '') }
          messages.push(mail)
          const index = waiters.findIndex((waiter) => waiter.to === to)
          if (index >= 0) {
            const [waiter] = waiters.splice(index, 1)
            taken.add(mail)
            waiter?.resolve(mail)
          }
          callback()
        },
        (error: Error) => callback(error),
      )
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    next(to, timeoutMs = 5000) {
      const waiting = messages.find((mail) => mail.to === to && !taken.has(mail))
      if (waiting) {
        taken.add(waiting)
        return Promise.resolve(waiting)
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          to,
          resolve: (mail: CapturedMail) => {
            clearTimeout(timer)
            resolve(mail)
          },
        }
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.push(waiter)
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
