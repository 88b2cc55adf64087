import pino, { Logger } from 'pino';
import type { AppConfig } from '../config/config';

/** One JSON line per entry on stdout, tagged with the process's role (api, projector, relay, cli). */
export function createLogger(config: Pick<AppConfig, 'logLevel'>, role: string): Logger {
  return pino({ level: config.logLevel, base: { service: 'agreements', role } });
}
