import type { OutgoingMessage } from '../contracts/cloud-events';

/** Bytes counted per header beside its name and value (attribute and length fields, roughly). */
const HEADER_OVERHEAD = 24;

/** The default size of one produce request (EventPublisherOptions.maxRequestBytes). */
export const DEFAULT_MAX_REQUEST_BYTES = 768 * 1024;

export interface TopicMessages {
  topic: string;
  messages: OutgoingMessage[];
}

/** A rough size of a message on the wire, to keep produce requests under the broker's limits. */
export function messageBytes(message: OutgoingMessage): number {
  let bytes = message.key.length + (message.value?.length ?? 0);
  for (const name in message.headers) bytes += name.length + message.headers[name].length + HEADER_OVERHEAD;
  return bytes;
}

/**
 * The produce requests a batch goes out in, in order: the topics' messages as given, cut where
 * the next message would take a request past maxRequestBytes (a larger message goes alone).
 * Usually one request.
 */
export function produceRequests(topicMessages: readonly TopicMessages[], maxRequestBytes: number): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let request: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    let current: OutgoingMessage[] = [];
    for (const message of messages) {
      const size = messageBytes(message);
      if (bytes + size > maxRequestBytes && bytes > 0) {
        if (current.length > 0) request.push({ topic, messages: current });
        requests.push(request);
        request = [];
        current = [];
        bytes = 0;
      }
      current.push(message);
      bytes += size;
    }
    if (current.length > 0) request.push({ topic, messages: current });
  }
  if (request.length > 0) requests.push(request);
  return requests;
}
