import { republish, RepublishProgress } from '@agreements/messaging';
import type { Runtime } from '@agreements/platform';

export class RepublishUsageError extends Error {}

/**
 * `npm run cli -- republish --from <position> [--to <position>]`: publishes the events again from
 * a position (inclusive) for a consumer that lost its data, with the same ce_ids; the live
 * relay's checkpoint is not touched.
 */
export async function runRepublish(
  runtime: Runtime,
  from: string,
  to: string | undefined,
  say: (line: string) => void,
): Promise<number> {
  const { config, eventStore } = runtime;
  if (!config.kafkaBrokers) throw new RepublishUsageError('republish needs KAFKA_BROKERS (host:port,...) of the cluster to publish to');
  const parse = (text: string, name: string) => {
    try {
      return eventStore.parsePosition(text);
    } catch {
      throw new RepublishUsageError(`${name} "${text}" is not a position of this event store (see the position of a command response or /v1/events)`);
    }
  };
  const fromPosition = parse(from, '--from');
  const toPosition = to === undefined ? undefined : parse(to, '--to');
  say(`republishing from position ${fromPosition}${toPosition ? ` to ${toPosition}` : ' to the head'} to ${config.kafkaBrokers}`);
  const started = Date.now();
  let lastPrinted = 0;
  const result = await republish({
    eventStore,
    brokers: config.kafkaBrokers,
    topicPrefix: config.kafkaTopicPrefix,
    partitions: config.kafkaPartitions,
    source: config.kafkaSource,
    clientId: config.kafkaClientId,
    from: fromPosition,
    to: toPosition,
    logger: runtime.logger,
    onProgress: (p: RepublishProgress) => {
      if (Date.now() - lastPrinted < 1000) return;
      lastPrinted = Date.now();
      say(`  ${p.published} events published, at position ${p.position} of ${p.to}`);
    },
  });
  const seconds = (Date.now() - started) / 1000;
  say(
    `republished ${result.events} events (positions ${result.first ?? '-'} to ${result.last ?? '-'}) and ` +
      `${result.statuses} agreement summaries in ${seconds.toFixed(2)} s`,
  );
  return 0;
}
