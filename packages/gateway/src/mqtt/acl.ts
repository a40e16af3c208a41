import { filterCovers, isValidTopicFilter, isValidTopicName } from './topic-filter.js'

/** The topic permissions a device's access token carries in its `acl` claim. */
export interface TopicAcl {
  readonly publish: readonly string[]
  readonly subscribe: readonly string[]
}

const MAX_FILTERS = 100
const MAX_FILTER_LENGTH = 512
/** The broker's own topics: no device reads or writes them, whatever its ACL says. */
const SYSTEM_PREFIX = '$SYS'

/** A token with no `acl` may do nothing over MQTT. */
export const EMPTY_ACL: TopicAcl = Object.freeze({ publish: [], subscribe: [] })

function filters(value: unknown): string[] | undefined {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.length > MAX_FILTERS) return undefined
  const ok = value.every(
    (item) => typeof item === 'string' && item.length <= MAX_FILTER_LENGTH && isValidTopicFilter(item),
  )
  return ok ? (value as string[]) : undefined
}

/**
 * Reads the `acl` claim: `{ publish: [...], subscribe: [...] }` of topic filters. Returns undefined
 * for a malformed claim (the token is then refused outright rather than read generously).
 */
export function parseAclClaim(claim: unknown): TopicAcl | undefined {
  if (claim === undefined) return EMPTY_ACL
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim)) return undefined
  const record = claim as Record<string, unknown>
  const publish = filters(record.publish)
  const subscribe = filters(record.subscribe)
  return publish && subscribe ? { publish, subscribe } : undefined
}

const isSystemTopic = (topic: string) => topic === SYSTEM_PREFIX || topic.startsWith(`${SYSTEM_PREFIX}/`)

/** PUBLISH: the topic name must match one of the publish filters; deny when none does. */
export function mayPublish(acl: TopicAcl, topic: string): boolean {
  if (!isValidTopicName(topic) || isSystemTopic(topic)) return false
  return acl.publish.some((filter) => filterCovers(filter, topic))
}

/** SUBSCRIBE: the requested filter must lie inside one of the subscribe filters. */
export function maySubscribe(acl: TopicAcl, filter: string): boolean {
  if (!isValidTopicFilter(filter) || isSystemTopic(filter)) return false
  return acl.subscribe.some((allowed) => filterCovers(allowed, filter))
}
