import type { ServerResponse } from 'node:http'
import type { Refusal } from '../verify/refusal.js'

/** Writes an RFC 6750 refusal to a node response (Express, Connect and plain node:http share it). */
export function sendRefusal(response: ServerResponse, refusal: Refusal): void {
  const body = refusal.body ? JSON.stringify(refusal.body) : ''
  response.writeHead(refusal.status, {
    ...refusal.headers,
    ...(body ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': Buffer.byteLength(body),
  })
  response.end(body)
}
