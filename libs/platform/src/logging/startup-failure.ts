import pino from 'pino';
import { ConfigError } from '../config/config';

/**
 * The last line of a process that could not start, as JSON like every other line, written
 * synchronously (pino's default stream is asynchronous and would lose it on exit).
 */
export function logStartupFailure(role: string, err: unknown): void {
  const logger = pino({ base: { service: 'agreements', role } }, pino.destination({ dest: 2, sync: true }));
  if (err instanceof ConfigError) logger.fatal({ code: 'CONFIGURATION_ERROR' }, `configuration error: ${err.message}`);
  else if (typeof err === 'string') logger.fatal(err);
  else logger.fatal({ err }, `failed to start: ${(err as Error)?.message ?? String(err)}`);
}
