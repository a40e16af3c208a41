import { usageError } from './exit.js'

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

export const isLoopback = (url: URL) => LOOPBACK.has(url.hostname) || /^127\./.test(url.hostname)

/** https anywhere; http only to this machine (test issuers), never in the clear across a network. */
export function checkFetchURL(value: string, option: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw usageError(`${option}: not a URL: ${value}`)
  }
  if (url.protocol === 'https:') return url
  if (url.protocol === 'http:' && isLoopback(url)) return url
  throw usageError(`${option}: must be an https URL (http only for localhost): ${value}`)
}
