import { type Logger, pino } from 'pino'

export type GatewayLogger = Logger

/**
 * The gateway's one pino logger. Fastify's own request logger is off: it would build a child logger
 * for every request just to write the one line per refusal this logger writes itself.
 */
export function createLogger(level: string, stream?: { write(line: string): unknown }): GatewayLogger {
  return stream ? pino({ level }, stream as NodeJS.WritableStream) : pino({ level })
}
