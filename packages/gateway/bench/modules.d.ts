// Minimal declarations for the untyped benchmark dependency, covering only what run.ts uses.
declare module 'autocannon' {
  interface Histogram {
    average: number
    mean: number
    p50: number
    p99: number
    total: number
  }
  export interface Result {
    requests: Histogram
    latency: Histogram
    non2xx: number
    errors: number
    timeouts: number
    '2xx': number
    duration: number
  }
  export interface Options {
    url: string
    method?: string
    headers?: Record<string, string>
    body?: string
    connections?: number
    pipelining?: number
    duration?: number
    workers?: number
  }
  export default function autocannon(options: Options): Promise<Result>
}
