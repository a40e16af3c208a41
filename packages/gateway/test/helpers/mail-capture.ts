import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface CapturedMail {
  readonly to: string
  /** The sign-in code (digits only), read from the plain-text body. */
  readonly code: string | undefined
}

export interface MailCapture {
  readonly url: string
  /** The next message to `to`, or one already received and not yet taken. */
  next(to: string, timeoutMs?: number): Promise<CapturedMail>
  close(): Promise<void>
}

/** A real SMTP server on 127.0.0.1 (npm smtp-server) that the authority sends its sign-in mail to. */
export async function startMailCapture(): Promise<MailCapture> {
  const received: CapturedMail[] = []
  const waiters: { to: string; resolve: (mail: CapturedMail) => void }[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((parsed) => {
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address).join(',')
        const code = /^ {4}(\d{4} \d{4})$/m.exec(parsed.text ?? '')?.[1]?.replace(' ', '')
        const mail = { to, code }
        const waiter = waiters.findIndex((candidate) => candidate.to === to)
        if (waiter >= 0) waiters.splice(waiter, 1)[0]?.resolve(mail)
        else received.push(mail)
        callback()
      }, callback)
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `smtp://127.0.0.1:${port}`,
    next(to, timeoutMs = 10_000) {
      const waiting = received.findIndex((mail) => mail.to === to)
      if (waiting >= 0) return Promise.resolve(received.splice(waiting, 1)[0] as CapturedMail)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no mail to ${to} within ${timeoutMs} ms`)),
          timeoutMs,
        )
        waiters.push({
          to,
          resolve: (mail) => {
            clearTimeout(timer)
            resolve(mail)
          },
        })
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
