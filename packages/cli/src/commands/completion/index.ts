import type { Command } from 'commander'
import { examples } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { out } from '../../lib/output.js'

/** Every command path ("", "keys", "keys generate", …) with the words that may follow it. */
function completionTable(root: Command): Map<string, string[]> {
  const entries = new Map<string, string[]>()
  const walk = (command: Command, path: string) => {
    const words = [
      ...command.commands.map((sub) => sub.name()),
      ...command.options.flatMap((option) =>
        [option.long, option.short].filter((flag): flag is string => flag !== undefined),
      ),
      '--help',
    ]
    entries.set(path, words)
    for (const sub of command.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name())
  }
  walk(root, '')
  return entries
}

/** A bash function over the command table: the longest known command path before the cursor picks the words. */
function bashScript(root: Command): string {
  const cases = [...completionTable(root)]
    .map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n')
  return `# tessera completion for bash: eval "$(tessera completion bash)", or save it in
# /etc/bash_completion.d/tessera
_tessera() {
  local cur path candidate words i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    candidate="\${path:+$path }\${COMP_WORDS[i]}"
    case "$candidate" in
${[...completionTable(root).keys()]
  .filter((path) => path !== '')
  .map((path) => `      "${path}") path="$candidate" ;;`)
  .join('\n')}
    esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _tessera tessera
`
}

function zshScript(root: Command): string {
  return `#compdef tessera
# tessera completion for zsh: eval "$(tessera completion zsh)" in ~/.zshrc (uses bashcompinit)
autoload -U +X bashcompinit && bashcompinit
${bashScript(root)}`
}

export function registerCompletion(program: Command): void {
  const command = program
    .command('completion')
    .description('print a shell completion script')
    .argument('<shell>', 'bash or zsh')
  examples(command, ['eval "$(tessera completion bash)"', 'tessera completion zsh > ~/.zfunc/_tessera'])
  command.action((shell: string) => {
    if (shell === 'bash') out(bashScript(program))
    else if (shell === 'zsh') out(zshScript(program))
    else throw usageError(`completion: unknown shell "${shell}" (bash or zsh)`)
  })
}
