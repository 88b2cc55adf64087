/**
 * A test hook, present only when AGREEMENTS_TEST_KILL_AFTER_ACKS=N is set in the environment
 * (test/relay/relay-deliveries.e2e-spec.ts sets it on the relay process it spawns): the relay
 * process kills itself with SIGKILL right after the broker acknowledged its N-th batch and before
 * the checkpoint transaction, the window in which a crash must not leave an event without its
 * delivery record. Without the variable this returns undefined and the relay never calls anything.
 */
export function crashAfterAckHook(env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
  const raw = env.AGREEMENTS_TEST_KILL_AFTER_ACKS;
  if (raw === undefined || raw === '') return undefined;
  const after = Number(raw);
  if (!Number.isInteger(after) || after < 1) throw new Error(`AGREEMENTS_TEST_KILL_AFTER_ACKS must be a positive integer; got ${JSON.stringify(raw)}`);
  let acknowledged = 0;
  return () => {
    acknowledged += 1;
    if (acknowledged === after) process.kill(process.pid, 'SIGKILL');
  };
}
