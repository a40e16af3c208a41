/**
 * Verify before forwarding: the bearer-token verifier, its framework adapters, the reverse proxy, the
 * backend-for-frontend and the MQTT device edge.
 *
 * @packageDocumentation
 * @module @tessera/gateway
 */
export type { ConnectMiddlewareOptions } from './adapters/express.js'
export { tokenVerifierMiddleware } from './adapters/express.js'
export type { FastifyTokenVerifierOptions } from './adapters/fastify.js'
export { fastifyTokenVerifier } from './adapters/fastify.js'
export type { VerifiedHandler } from './adapters/node-http.js'
export { withTokenVerification } from './adapters/node-http.js'
export type { BffSession, SessionStore } from './bff/session-store.js'
export { MemorySessionStore } from './bff/session-store.js'
export type { BffSettings } from './bff/settings.js'
export { parseSettings, readRawSettings, resolveRawSettings } from './cli/parse-settings.js'
export { runGateway } from './cli/run-gateway.js'
export type { SettingSpec } from './cli/settings-table.js'
export { CLIENT_SECRET_ENV, SETTINGS as GATEWAY_SETTINGS } from './cli/settings-table.js'
export type { RefusalReason } from './errors.js'
export { DiscoveryError, GatewayConfigError, REFUSAL_REASONS, REFUSALS } from './errors.js'
export { GatewayMetrics } from './metrics/gateway-metrics.js'
export type { RefusalReporterOptions } from './metrics/refusal-reporter.js'
export { RefusalReporter } from './metrics/refusal-reporter.js'
export type { TopicAcl } from './mqtt/acl.js'
export { mayPublish, maySubscribe, parseAclClaim } from './mqtt/acl.js'
export type { MqttBroker, MqttBrokerOptions, MqttEvent } from './mqtt/broker.js'
export { createMqttBroker } from './mqtt/broker.js'
export { BROKER_PLUGIN_PATHS, brokerPluginHandler, createBrokerPlugin } from './mqtt/broker-plugin.js'
export { CONNACK } from './mqtt/connack.js'
export type {
  DeviceIdentity,
  IsRevoked,
  RefusalReason as MqttRefusalReason,
  VerifyAccessToken,
} from './mqtt/device-identity.js'
export { verifyWith } from './mqtt/start-mqtt.js'
export { filterCovers, isValidTopicFilter, isValidTopicName } from './mqtt/topic-filter.js'
export type { CreateGatewayOptions, Gateway } from './proxy/create-gateway.js'
export { createGateway } from './proxy/create-gateway.js'
export type { RouteRule } from './proxy/routes.js'
export { parseRoutes, RouteTable } from './proxy/routes.js'
export type { GatewaySettings } from './proxy/settings.js'
export type { PollResult, RevocationPollerOptions } from './revocation/poll-revocations.js'
export { RevocationPoller } from './revocation/poll-revocations.js'
export type { RevocationErrorCode } from './revocation/revocation-error.js'
export { RevocationError } from './revocation/revocation-error.js'
export type { RevocationStatus, RevocationVerdict, StalePolicy } from './revocation/revocation-state.js'
export { RevocationState } from './revocation/revocation-state.js'
export type { RevocationSnapshot } from './revocation/snapshot.js'
export { createSnapshotVerifier, SNAPSHOT_TYP } from './revocation/verify-snapshot.js'
export { withRevocation } from './revocation/with-revocation.js'
export type {
  RequestLike,
  RequestVerification,
  TokenVerification,
  TokenVerifier,
  TokenVerifierOptions,
  VerifierEvent,
  VerifyRequestOptions,
} from './verify/create-token-verifier.js'
export { createTokenVerifier } from './verify/create-token-verifier.js'
export type { DecryptionOptions, TokenForm } from './verify/decryption.js'
export type { IssuerMetadata } from './verify/discover.js'
export type { Identity } from './verify/identity.js'
export type { Refusal } from './verify/refusal.js'
