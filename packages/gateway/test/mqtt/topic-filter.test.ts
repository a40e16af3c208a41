import { describe, expect, it } from 'vitest'
import { mayPublish, maySubscribe, parseAclClaim } from '../../src/mqtt/acl.js'
import { filterCovers, isValidTopicFilter } from '../../src/mqtt/topic-filter.js'

/** MQTT 3.1.1 §4.7 topic names, filters and wildcards, as the ACL check applies them. */
describe('topic filters (MQTT 3.1.1 §4.7)', () => {
  it('§4.7.1.2 "#" matches the parent and every level below, only as the whole last level', () => {
    expect(filterCovers('sport/tennis/player1/#', 'sport/tennis/player1')).toBe(true)
    expect(filterCovers('sport/tennis/player1/#', 'sport/tennis/player1/ranking')).toBe(true)
    expect(filterCovers('sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon')).toBe(true)
    expect(filterCovers('sport/#', 'sport')).toBe(true)
    expect(filterCovers('#', 'anything/at/all')).toBe(true)
    expect(filterCovers('sport/tennis/player1/#', 'sport/tennis/player2')).toBe(false)
    expect(isValidTopicFilter('sport/tennis#')).toBe(false)
    expect(isValidTopicFilter('sport/tennis/#/ranking')).toBe(false)
  })

  it('§4.7.1.3 "+" matches exactly one level', () => {
    expect(filterCovers('sport/tennis/+', 'sport/tennis/player1')).toBe(true)
    expect(filterCovers('sport/tennis/+', 'sport/tennis/player1/ranking')).toBe(false)
    expect(filterCovers('sport/+', 'sport')).toBe(false)
    expect(filterCovers('sport/+', 'sport/')).toBe(true)
    expect(filterCovers('+/+', '/finance')).toBe(true)
    expect(filterCovers('/+', '/finance')).toBe(true)
    expect(filterCovers('+', '/finance')).toBe(false)
    expect(isValidTopicFilter('sport+')).toBe(false)
  })

  it('§4.7.2 topics starting with "$" are not matched by a leading wildcard', () => {
    expect(filterCovers('#', '$SYS/broker/clients')).toBe(false)
    expect(filterCovers('+/monitor/Clients', '$SYS/monitor/Clients')).toBe(false)
    expect(filterCovers('$SYS/#', '$SYS/monitor/Clients')).toBe(true)
    expect(filterCovers('$SYS/monitor/+', '$SYS/monitor/Clients')).toBe(true)
  })

  it('a subscription must lie inside a granted filter, not merely overlap it', () => {
    expect(filterCovers('devices/d1/#', 'devices/d1/commands/+')).toBe(true)
    expect(filterCovers('devices/+/status', 'devices/+/status')).toBe(true)
    expect(filterCovers('devices/d1/status', 'devices/+/status')).toBe(false)
    expect(filterCovers('devices/d1/#', 'devices/#')).toBe(false)
    expect(filterCovers('devices/+/#', 'devices/#')).toBe(false)
    expect(filterCovers('devices/#', '#')).toBe(false)
    expect(filterCovers('#', '#')).toBe(true)
  })
})

describe('device ACL', () => {
  const acl = parseAclClaim({
    publish: ['devices/d1/telemetry', 'devices/d1/events/+'],
    subscribe: ['devices/d1/commands/#', '#'],
  })
  if (!acl) throw new Error('the ACL should parse')

  it('allows publishing only to topics a publish filter matches; deny by default', () => {
    expect(mayPublish(acl, 'devices/d1/telemetry')).toBe(true)
    expect(mayPublish(acl, 'devices/d1/events/boot')).toBe(true)
    expect(mayPublish(acl, 'devices/d2/telemetry')).toBe(false)
    expect(mayPublish(acl, 'devices/d1/events/boot/extra')).toBe(false)
    expect(mayPublish(acl, 'devices/d1/+')).toBe(false)
    expect(mayPublish(parseAclClaim(undefined) ?? acl, 'devices/d1/telemetry')).toBe(false)
  })

  it('blocks $SYS outright, even when a filter would name it', () => {
    const wide = parseAclClaim({ publish: ['$SYS/#'], subscribe: ['$SYS/#'] })
    if (!wide) throw new Error('the ACL should parse')
    expect(mayPublish(wide, '$SYS/broker/uptime')).toBe(false)
    expect(maySubscribe(wide, '$SYS/#')).toBe(false)
    expect(maySubscribe(acl, '$SYS/#')).toBe(false)
    // "#" grants every ordinary topic, never "$" ones.
    expect(maySubscribe(acl, 'anything/else')).toBe(true)
    expect(maySubscribe(acl, '$share/group/topic')).toBe(false)
  })

  it('refuses malformed claims rather than reading them generously', () => {
    expect(parseAclClaim('devices/#')).toBeUndefined()
    expect(parseAclClaim({ publish: 'devices/#' })).toBeUndefined()
    expect(parseAclClaim({ publish: ['a/#/b'] })).toBeUndefined()
    expect(parseAclClaim({ publish: Array.from({ length: 101 }, (_, i) => `t/${i}`) })).toBeUndefined()
    expect(parseAclClaim({ subscribe: ['ok/+'] })).toEqual({ publish: [], subscribe: ['ok/+'] })
  })
})
