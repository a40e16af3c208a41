/**
 * The documented exit codes. Every failure the CLI expects ends as a CliError: one line on stderr,
 * naming the problem, and one of these codes; nothing else reaches the user as a stack trace.
 */
export const EXIT = {
  ok: 0,
  /** A token, signature, ciphertext or key set did not verify, decrypt or pass its checks. */
  failed: 1,
  /** Bad options, unreadable or unusable files named by options. */
  usage: 2,
  /** A server could not be reached (connection refused, timeout, DNS). */
  unreachable: 3,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export class CliError extends Error {
  override name = 'CliError'
  readonly exitCode: ExitCode

  constructor(exitCode: ExitCode, message: string) {
    super(message)
    this.exitCode = exitCode
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message)
export const failure = (message: string) => new CliError(EXIT.failed, message)
export const unreachable = (message: string) => new CliError(EXIT.unreachable, message)
