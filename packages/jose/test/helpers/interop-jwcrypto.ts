/**
 * Runs Debian's python3-jwcrypto (1.1) as an interop peer. Always /usr/bin/python3: the `python3` on
 * PATH may be another interpreter without it. One call runs a list of operations and returns one
 * result per operation; JWKs and tokens cross as JSON on stdin and stdout.
 */
import { execFileSync } from 'node:child_process'
import type { JWK } from '../../src/index.js'

export const PYTHON = '/usr/bin/python3'

const MISSING = 3

// No backslashes below: the script is the template text as is.
const SCRIPT = `
import json, sys
try:
    from jwcrypto import jwk, jws, jwt
    from jwcrypto.common import json_encode
except ImportError as error:
    print(str(error), file=sys.stderr)
    sys.exit(${MISSING})

keys = {}

def key_of(ref):
    return keys[ref] if isinstance(ref, str) else jwk.JWK(**ref)

def run(op):
    kind = op['op']
    if kind == 'version':
        from importlib.metadata import version
        return {'version': version('jwcrypto')}
    if kind == 'generate':
        key = jwk.JWK.generate(**op['params'])
        keys[op['name']] = key
        return {'private': key.export(private_key=True, as_dict=True), 'public': key.export_public(as_dict=True)}
    if kind == 'import':
        key = key_of(op['key'])
        return {'public': key.export_public(as_dict=True)}
    if kind == 'sign':
        key = key_of(op['key'])
        if op['format'] == 'jwt':
            token = jwt.JWT(header=op['header'], claims=op['claims'])
            token.make_signed_token(key)
            return {'token': token.serialize()}
        signed = jws.JWS(op['payload'].encode('utf-8'))
        for extra in op.get('extra', []):
            signed.add_signature(key_of(extra['key']), None, json_encode(extra['header']))
        signed.add_signature(key, None, json_encode(op['header']))
        if op['format'] == 'compact':
            return {'token': signed.serialize(compact=True)}
        return {'token': json.loads(signed.serialize())}
    if kind == 'verify':
        key = key_of(op['key'])
        if op['format'] == 'jwt':
            token = jwt.JWT(jwt=op['token'], key=key, algs=op['algs'], check_claims=op.get('check_claims'))
            return {'header': json.loads(token.header), 'claims': json.loads(token.claims)}
        token = op['token'] if isinstance(op['token'], str) else json.dumps(op['token'])
        verified = jws.JWS()
        verified.allowed_algs = op['algs']
        verified.deserialize(token)
        verified.verify(key)
        return {'payload': verified.payload.decode('utf-8'), 'header': verified.jose_header}
    raise ValueError('unknown op ' + kind)

results = []
for op in json.load(sys.stdin):
    try:
        results.append({'ok': True, **run(op)})
    except Exception as error:
        results.append({'ok': False, 'error': type(error).__name__ + ': ' + str(error)})
print(json.dumps(results))
`

export type JwcryptoFormat = 'jwt' | 'compact' | 'flattened' | 'general'

export type JwcryptoOp =
  | { op: 'version' }
  | { op: 'generate'; name: string; params: Record<string, string | number> }
  | { op: 'import'; key: JWK }
  | {
      op: 'sign'
      key: string | JWK
      format: JwcryptoFormat
      header: Record<string, unknown>
      payload?: string
      claims?: Record<string, unknown>
      extra?: Array<{ key: string | JWK; header: Record<string, unknown> }>
    }
  | {
      op: 'verify'
      key: string | JWK
      format: JwcryptoFormat
      token: unknown
      algs: string[]
      check_claims?: Record<string, unknown>
    }

export interface JwcryptoResult {
  ok: boolean
  error?: string
  version?: string
  private?: JWK
  public?: JWK
  token?: unknown
  payload?: string
  header?: Record<string, unknown>
  claims?: Record<string, unknown>
}

const INSTALL =
  'install python3-jwcrypto for /usr/bin/python3 (apt-get install -y python3-jwcrypto; CI does it in .ci/run)'

/** Runs the operations in one python process. Throws — never skips — when jwcrypto is unavailable. */
export function runJwcrypto(ops: readonly JwcryptoOp[]): JwcryptoResult[] {
  let output: string
  try {
    output = execFileSync(PYTHON, ['-c', SCRIPT], {
      input: JSON.stringify(ops),
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
    })
  } catch (error) {
    const { status, code, stderr } = error as { status?: number; code?: string; stderr?: string }
    if (code === 'ENOENT') throw new Error(`${PYTHON} not found: ${INSTALL}`)
    if (status === MISSING)
      throw new Error(`jwcrypto cannot be imported by ${PYTHON} (${String(stderr).trim()}): ${INSTALL}`)
    throw error
  }
  const results = JSON.parse(output) as JwcryptoResult[]
  if (results.length !== ops.length)
    throw new Error(`jwcrypto answered ${results.length} of ${ops.length} operations`)
  return results
}

/** The result of one operation, which must have succeeded. */
export function succeeded(result: JwcryptoResult | undefined, what: string): JwcryptoResult {
  if (!result) throw new Error(`jwcrypto gave no result for ${what}`)
  if (!result.ok) throw new Error(`jwcrypto failed to ${what}: ${result.error}`)
  return result
}
