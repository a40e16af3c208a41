/** One sample of the Prometheus text exposition format (version 0.0.4). */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

export interface Exposition {
  samples: Sample[]
  /** `# TYPE` of each metric family. */
  types: Map<string, string>
  help: Map<string, string>
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy

/** Parses the exposition text strictly: any line that is not a comment, blank or a sample throws. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = []
  const types = new Map<string, string>()
  const help = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (line === '') continue
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line)
    if (comment) {
      ;(comment[1] === 'TYPE' ? types : help).set(comment[2] as string, comment[3] as string)
      continue
    }
    const match = SAMPLE.exec(line)
    if (!match) throw new Error(`not an exposition line: ${JSON.stringify(line)}`)
    const labels: Record<string, string> = {}
    const labelText = match[2] ?? ''
    LABEL.lastIndex = 0
    while (LABEL.lastIndex < labelText.length) {
      const label = LABEL.exec(labelText)
      if (!label) throw new Error(`bad labels: ${JSON.stringify(labelText)}`)
      labels[label[1] as string] = (label[2] as string).replace(/\\(.)/g, (_m, c: string) =>
        c === 'n' ? '\n' : c,
      )
    }
    const raw = match[3] as string
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
    const special = raw.toLowerCase()
    const value =
      special === '+inf' || special === 'inf'
        ? Number.POSITIVE_INFINITY
        : special === '-inf'
          ? Number.NEGATIVE_INFINITY
          : special === 'nan'
            ? Number.NaN
            : Number(raw)
    if (Number.isNaN(value) && special !== 'nan') throw new Error(`bad value: ${JSON.stringify(line)}`)
    samples.push({ name: match[1] as string, labels, value })
  }
  return { samples, types, help }
}

/** The value of the one sample named `name` whose labels include `labels`; undefined if none. */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string> = {}) {
  const found = exposition.samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v),
  )
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`)
  return found[0]?.value
}
