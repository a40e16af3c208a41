import { GatewayConfigError } from '../errors.js'

/** One rule of routes.json: which requests it covers, and what they need. */
export interface RouteRule {
  /** Upper-case methods, or undefined for every method. */
  readonly methods: ReadonlySet<string> | undefined
  /** A path prefix matched at a segment boundary: `/orders` covers `/orders` and `/orders/7`, not `/ordersx`. */
  readonly prefix: string
  /** No token needed. */
  readonly public: boolean
  /** Scopes needed, all of them. */
  readonly scopes: readonly string[]
}

/** What the request needs when no rule covers it: a valid token, no particular scope. Fail closed. */
export const DEFAULT_RULE: RouteRule = Object.freeze({
  methods: undefined,
  prefix: '/',
  public: false,
  scopes: Object.freeze([]),
})

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
const RULE_MEMBERS = new Set(['methods', 'method', 'prefix', 'public', 'scopes'])
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/
const MAX_RULES = 1000

function parseRule(input: unknown, index: number): RouteRule {
  const where = `routes[${index}]`
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new GatewayConfigError('routes', `${where} must be an object`)
  const rule = input as Record<string, unknown>
  for (const member of Object.keys(rule)) {
    if (!RULE_MEMBERS.has(member))
      throw new GatewayConfigError('routes', `${where} has an unknown member "${member}"`)
  }
  const { prefix } = rule
  if (typeof prefix !== 'string' || !prefix.startsWith('/') || prefix.includes('?') || prefix.includes('..'))
    throw new GatewayConfigError('routes', `${where}.prefix must be a path starting with /`)
  const rawMethods = rule.methods ?? rule.method
  let methods: Set<string> | undefined
  if (rawMethods !== undefined && rawMethods !== '*') {
    const list = typeof rawMethods === 'string' ? [rawMethods] : rawMethods
    if (!Array.isArray(list) || list.length === 0)
      throw new GatewayConfigError('routes', `${where}.methods must be a method, a list of methods or "*"`)
    methods = new Set()
    for (const method of list) {
      const upper = typeof method === 'string' ? method.toUpperCase() : ''
      if (!METHODS.has(upper))
        throw new GatewayConfigError('routes', `${where}.methods has an unknown method ${String(method)}`)
      methods.add(upper)
    }
  }
  const isPublic = rule.public ?? false
  if (typeof isPublic !== 'boolean')
    throw new GatewayConfigError('routes', `${where}.public must be true or false`)
  const scopes = rule.scopes ?? []
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || !SCOPE.test(scope)))
    throw new GatewayConfigError('routes', `${where}.scopes must be a list of scope names`)
  if (isPublic && scopes.length > 0)
    throw new GatewayConfigError('routes', `${where} cannot be public and need scopes`)
  const normalized = prefix.length > 1 && prefix.endsWith('/') ? prefix.slice(0, -1) : prefix
  return Object.freeze({ methods, prefix: normalized, public: isPublic, scopes: Object.freeze([...scopes]) })
}

/** Parses routes.json: `{ "routes": [ { "methods", "prefix", "scopes", "public" } ] }` (or the bare array). */
export function parseRoutes(input: unknown): RouteTable {
  const list = Array.isArray(input) ? input : (input as { routes?: unknown } | null)?.routes
  if (!Array.isArray(list))
    throw new GatewayConfigError('routes', 'must be an array of rules or { "routes": [...] }')
  if (list.length > MAX_RULES) throw new GatewayConfigError('routes', `at most ${MAX_RULES} rules`)
  return new RouteTable(list.map(parseRule))
}

function covers(prefix: string, path: string): boolean {
  if (prefix === '/') return true
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47) /* / */
}

/** The longest matching prefix wins, and among equals the first listed; nothing matching is DEFAULT_RULE. */
export class RouteTable {
  readonly rules: readonly RouteRule[]

  constructor(rules: readonly RouteRule[]) {
    // Longest prefix first; a stable sort keeps the listed order among equal prefixes.
    this.rules = Object.freeze([...rules].sort((a, b) => b.prefix.length - a.prefix.length))
  }

  match(method: string, path: string): RouteRule {
    for (const rule of this.rules) {
      // HEAD is GET without a body: a GET rule covers it.
      if (rule.methods && !rule.methods.has(method) && !(method === 'HEAD' && rule.methods.has('GET')))
        continue
      if (covers(rule.prefix, path)) return rule
    }
    return DEFAULT_RULE
  }
}

/**
 * Paths a proxy must not judge by prefix: dot segments, encoded dots or slashes and backslashes
 * could make `/public/../admin` look public here and be `/admin` upstream. Refused as 400.
 */
export function isAmbiguousPath(path: string): boolean {
  return /(?:^|\/)\.\.?(?:\/|$)|%2e|%2f|%5c|\\|\/\//i.test(path)
}
