// Minimal declarations for the untyped benchmark dependency, covering only what run.ts uses
// (autocannon's types come from @types/autocannon).
declare module 'oidc-provider' {
  import type { Server } from 'node:http'
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>)
    listen(port: number, host: string, callback: () => void): Server
    on(event: string, listener: (...args: never[]) => void): this
  }
}
