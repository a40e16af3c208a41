import { failure } from '../../lib/exit.js'
import { out, outJSON, paint, table } from '../../lib/output.js'
import type { Problem, SetDiagnosis } from './diagnose.js'

/** Prints a diagnosis; a set with any error-level problem fails the command (exit 1). */
export function report(
  diagnosis: SetDiagnosis,
  extra: Record<string, unknown>,
  lines: string[],
  json: boolean,
): void {
  const problems: Problem[] = diagnosis.problems
  const errors = problems.filter((problem) => problem.severity === 'error')
  if (json) {
    outJSON({ ...extra, ok: errors.length === 0, keys: diagnosis.keys, problems })
  } else {
    const text = [...lines]
    text.push(
      paint(process.stdout, 'bold', `${diagnosis.keys.length} key${diagnosis.keys.length === 1 ? '' : 's'}`),
    )
    if (diagnosis.keys.length > 0) {
      const rows = diagnosis.keys.map((key) => [
        key.kid ?? '-',
        key.kty ?? '-',
        key.crv ?? (key.bits !== null ? `${key.bits} bits` : '-'),
        key.alg ?? '-',
        key.use ?? '-',
        key.thumbprint ?? '-',
      ])
      text.push(
        table([['kid', 'kty', 'crv/size', 'alg', 'use', 'thumbprint (SHA-256)'], ...rows]).replace(
          /^/gm,
          '  ',
        ),
      )
    }
    if (problems.length === 0) text.push(paint(process.stdout, 'green', 'no problems found'))
    for (const problem of problems) {
      const tag =
        problem.severity === 'error'
          ? paint(process.stdout, 'red', 'error')
          : paint(process.stdout, 'yellow', 'warning')
      text.push(`${tag} ${problem.code}: ${problem.message}`)
    }
    out(text.join('\n'))
  }
  if (errors.length > 0)
    throw failure(`the key set has ${errors.length} error${errors.length === 1 ? '' : 's'}`)
}
