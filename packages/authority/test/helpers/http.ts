import { request } from 'node:http'
import type { Json } from './devices.js'

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Json
}

/**
 * A form POST over a fresh connection, optionally from another loopback address (127.0.0.2, …): the
 * authority keys its per-address limits on the socket address, so this is how a test plays a second
 * machine.
 */
export function postForm(
  url: string,
  path: string,
  params: Record<string, string>,
  options: { authorization?: string; localAddress?: string } = {},
): Promise<Answer> {
  const body = new URLSearchParams(params).toString()
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: 'POST',
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          ...(options.authorization ? { authorization: options.authorization } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} })
        })
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
