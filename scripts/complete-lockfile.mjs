// The npm registry this project installs from serves only the packages of its own platform, so
// `npm install` leaves other platforms' optional binaries (biome's, @node-rs's) out of
// package-lock.json — and `npm ci` then refuses the lock as out of sync. This adds the missing
// entries with their os/cpu/libc (read from the package name), which npm ci skips on a platform
// mismatch without fetching them. Run it after any `npm install` that drops them, then
// `npm install --package-lock-only` to let npm put the entries in its own order.
import { readFileSync, writeFileSync } from 'node:fs'

const path = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(path, 'utf8'))
const packages = lock.packages
const PLATFORM =
  /(android|darwin|linux|win32|freebsd)-(arm64|x64|ia32|arm)(?:-(eabi|gnueabihf|gnu|musl|msvc))?$/
let added = 0

for (const [key, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${key ? `${key}/` : ''}node_modules/${name}`
    if (packages[`node_modules/${name}`] || packages[nested]) continue
    const match = PLATFORM.exec(name)
    if (!match) throw new Error(`cannot tell the platform of ${name}`)
    const [, os, cpu, abi] = match
    const missing = { version, cpu: [cpu] }
    if (abi === 'gnu' || abi === 'gnueabihf') missing.libc = ['glibc']
    if (abi === 'musl') missing.libc = ['musl']
    if (entry.dev) missing.dev = true
    missing.optional = true
    missing.os = [os]
    packages[`node_modules/${name}`] = missing
    added++
  }
}

writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`package-lock.json: ${added} platform entries added`)
