import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMailer } from '../src/email/mailer.js'
import { signInMessage } from '../src/email/sign-in-message.js'
import { startAuthority, tempDir } from './helpers/authority.js'
import { askForCode } from './helpers/people.js'
import { readSignInMail, type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { WebClient } from './helpers/web-client.js'

let smtp: SmtpCapture
beforeAll(async () => {
  smtp = await startSmtpCapture()
})
afterAll(async () => {
  await smtp?.close()
})

describe('sign-in email over SMTP (nodemailer → smtp-server on 127.0.0.1)', () => {
  it('delivers one message with the code and the link, in plain text and HTML, without remote content', async () => {
    const dir = tempDir()
    const running = await startAuthority({
      dataDir: dir.path,
      smtpUrl: smtp.url,
      emailFrom: 'Tessera Test <signin@tessera.test>',
    })
    try {
      await askForCode(new WebClient(running.url), 'Mail.Reader@Example.com')
      const mail = await smtp.next('mail.reader@example.com')
      expect(mail.parsed.from?.text).toBe('"Tessera Test" <signin@tessera.test>')
      expect(mail.parsed.subject).toMatch(/^Your sign-in code: \d{4} \d{4}$/)
      expect(mail.code).toMatch(/^\d{8}$/)
      expect(mail.link).toMatch(new RegExp(`^${running.url}/signin/link\\?token=[A-Za-z0-9_-]{43}$`))
      const htmlBody = String(mail.parsed.html)
      expect(htmlBody).toContain(`href="${mail.link}"`)
      expect(htmlBody).toContain(`${mail.code?.slice(0, 4)} ${mail.code?.slice(4)}`)
      expect(htmlBody).not.toMatch(/<img|src=|<script|https?:\/\/(?!127\.0\.0\.1)/)
      expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated')
      expect(mail.parsed.attachments).toEqual([])
      expect(readdirSync(dir.path)).not.toContain('outbox')
    } finally {
      await running.close()
      dir.remove()
    }
  })
})

describe('development mode (no TESSERA_SMTP_URL)', () => {
  it('writes each message under <dataDir>/outbox/ (0600) and sends nothing', async () => {
    const dir = tempDir()
    const running = await startAuthority({ dataDir: dir.path })
    try {
      expect(running.authority.context.mailer.mode).toBe('development')
      const landing = await new WebClient(running.url).get('/')
      expect(landing.text).toContain('<strong>Development mode:</strong>')
      await askForCode(new WebClient(running.url), 'dev@example.com')
      const outbox = join(dir.path, 'outbox')
      let files: string[] = []
      // The mail is written after the answer; wait for it (the folder appears with the first message).
      for (let i = 0; i < 200 && files.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        if (!existsSync(outbox)) continue
        files = readdirSync(outbox, { withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => e.name)
      }
      expect(files).toHaveLength(1)
      const path = join(outbox, files[0] ?? '')
      expect(statSync(path).mode & 0o777).toBe(0o600)
      expect(statSync(outbox).mode & 0o777).toBe(0o700)
      const parsed = await simpleParser(readFileSync(path))
      expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toBe('dev@example.com')
      const { code, link } = readSignInMail(parsed.text ?? '')
      expect(code).toMatch(/^\d{8}$/)
      expect(link).toMatch(/\/signin\/link\?token=/)
      expect(smtp.messages.some((mail) => mail.to === 'dev@example.com')).toBe(false)
    } finally {
      await running.close()
      dir.remove()
    }
  })

  it('prints the code and the link to the console', async () => {
    const dir = tempDir()
    const printed: string[] = []
    const mailer = createMailer({
      smtpUrl: undefined,
      from: 'Tessera <no-reply@localhost>',
      dataDir: dir.path,
      print: (text) => printed.push(text),
    })
    try {
      await mailer.send(
        signInMessage({
          to: 'console@example.com',
          code: '01234567',
          link: 'http://localhost:3000/signin/link?token=x',
          issuer: 'http://localhost:3000',
          validMinutes: 10,
        }),
      )
      expect(printed.join('')).toContain('[development mode] sign-in email to console@example.com')
      expect(printed.join('')).toContain('code: 0123 4567')
      expect(printed.join('')).toContain('link: http://localhost:3000/signin/link?token=x')
    } finally {
      mailer.close()
      dir.remove()
    }
  })
})
