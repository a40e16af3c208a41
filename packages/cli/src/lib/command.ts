import type { Command } from 'commander'

/** Repeatable options: `--aud a --aud b` or `--aud a,b`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').filter((item) => item !== '')]
}

/** Every command's help ends with examples people can paste. */
export function examples(command: Command, lines: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`)
}

export function withJSON(command: Command): Command {
  return command.option('--json', 'print machine-readable JSON on stdout')
}
