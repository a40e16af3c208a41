import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so'
const REPO = fileURLToPath(new URL('../../../../', import.meta.url))

export interface SoftToken {
  conf: string
  label: string
  pin: string
  pinFile: string
}

/**
 * A fresh SoftHSM token in `dir` (its own softhsm2.conf and token directory), initialised with
 * softhsm2-util. SOFTHSM2_CONF is set for this process, which the authority's module reads at
 * C_Initialize, and for the inspecting child processes.
 */
export function initSoftToken(dir: string, label = 'tessera-test'): SoftToken {
  const tokens = join(dir, 'tokens')
  mkdirSync(tokens, { recursive: true })
  const conf = join(dir, 'softhsm2.conf')
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`)
  const pin = '4711-0815'
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '12345678'],
    {
      env: { ...process.env, SOFTHSM2_CONF: conf },
      stdio: 'pipe',
    },
  )
  const pinFile = join(dir, 'pin')
  writeFileSync(pinFile, `${pin}\n`, { mode: 0o600 })
  process.env.SOFTHSM2_CONF = conf
  return { conf, label, pin, pinFile }
}

export interface TokenObject {
  label: string
  class: 'public' | 'private'
  sensitive: boolean | null
  extractable: boolean | null
  /** Whether reading the private value (CKA_VALUE / CKA_PRIVATE_EXPONENT) was refused. */
  valueRefused: boolean | null
}

/** Lists the token's Tessera key objects from another process, as an operator's tool would. */
export function inspectToken(token: SoftToken): TokenObject[] {
  const script = `
const p = require('pkcs11js')
const m = new p.PKCS11()
m.load(${JSON.stringify(SOFTHSM_MODULE)})
m.C_Initialize()
try {
  const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trimEnd() === ${JSON.stringify(token.label)})
  const session = m.C_OpenSession(slot, p.CKF_SERIAL_SESSION)
  m.C_Login(session, p.CKU_USER, ${JSON.stringify(token.pin)})
  m.C_FindObjectsInit(session, [])
  const handles = m.C_FindObjects(session, 100)
  m.C_FindObjectsFinal(session)
  const out = []
  for (const h of handles) {
    const [cls, label] = m.C_GetAttributeValue(session, h, [{ type: p.CKA_CLASS }, { type: p.CKA_LABEL }])
    const klass = cls.value.readUInt32LE(0)
    if (klass !== p.CKO_PRIVATE_KEY && klass !== p.CKO_PUBLIC_KEY) continue
    const entry = { label: label.value.toString(), class: klass === p.CKO_PRIVATE_KEY ? 'private' : 'public', sensitive: null, extractable: null, valueRefused: null }
    if (klass === p.CKO_PRIVATE_KEY) {
      const [s, e, t] = m.C_GetAttributeValue(session, h, [{ type: p.CKA_SENSITIVE }, { type: p.CKA_EXTRACTABLE }, { type: p.CKA_KEY_TYPE }])
      entry.sensitive = s.value[0] === 1
      entry.extractable = e.value[0] === 1
      const secret = t.value.readUInt32LE(0) === p.CKK_EC ? p.CKA_VALUE : p.CKA_PRIVATE_EXPONENT
      try { m.C_GetAttributeValue(session, h, [{ type: secret }]); entry.valueRefused = false } catch { entry.valueRefused = true }
    }
    out.push(entry)
  }
  process.stdout.write(JSON.stringify(out))
} finally { m.C_Finalize(); m.close() }
`
  const output = execFileSync(process.execPath, ['-e', script], {
    cwd: REPO,
    env: { ...process.env, SOFTHSM2_CONF: token.conf },
    encoding: 'utf8',
  })
  return (JSON.parse(output) as TokenObject[]).sort(
    (a, b) => a.label.localeCompare(b.label) || a.class.localeCompare(b.class),
  )
}
