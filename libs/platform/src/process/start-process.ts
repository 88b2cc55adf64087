import { logStartupFailure } from '../logging/startup-failure';
import { unsupportedNodeReason } from './supported-node';

/**
 * How every server process (api, projector, relay) starts: first the Node.js version check, then
 * `start`; a failure leaves one JSON line on stderr and exit code 1.
 */
export function startProcess(role: string, start: () => Promise<void>): void {
  // Whatever the process writes (stores, checkpoints, claims) is readable by its owner only.
  process.umask(0o077);
  const reason = unsupportedNodeReason();
  if (reason) {
    logStartupFailure(role, reason);
    process.exit(1);
  }
  start().catch((err) => {
    logStartupFailure(role, err);
    process.exit(1);
  });
}
