import { type ChildProcess, fork } from 'node:child_process'
import { readFileSync } from 'node:fs'

/**
 * The benchmark's servers each run in a process of their own, so a contender's CPU time can be read
 * apart from the load generator's: started with a clean environment, stdout dropped, stderr kept.
 */
export function spawnServer(
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
  execArgv: readonly string[] = [],
): ChildProcess {
  return fork(entry, [...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    execArgv: [...execArgv],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
}

/** Resolves once the server sends its ready message (`process.send`), rejects if it exits first. */
export function whenReady(child: ChildProcess, name: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`${name} exited (${code})`)))
  })
}

/** SIGTERM, then wait for the exit (a server that handles it writes its CPU profile first). */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 10 ms). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / 100
}
