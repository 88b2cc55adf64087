/**
 * What a client asked of the test server: every gRPC call with when it arrived and when it was
 * answered, so tests can count the calls an operation makes and how many of them were sequential.
 *
 * A round trip is a sequential request/response wait: calls sent together and awaited together
 * count once. On the server that shows as overlap: two calls in flight at the same moment were not
 * waiting for each other. The server answers in memory within microseconds, so parallel calls only
 * overlap visibly when it answers late (EsdbTestServerOptions.latencyMs); with a latency of tens
 * of milliseconds, roundTrips() counts the longest chain of calls that did not overlap.
 */
export type CallKind = 'append' | 'read' | 'subscribe' | 'server-features';

export interface CallRecord {
  kind: CallKind;
  /** The stream read or written (`$all` for reads of all); undefined for server features. */
  stream?: string;
  /** performance.now() when the call arrived. */
  startedAt: number;
  /** performance.now() when it was answered; undefined while open (subscriptions stay open). */
  endedAt?: number;
}

export class CallLog {
  private readonly records: CallRecord[] = [];

  start(kind: CallKind, stream?: string): CallRecord {
    const record: CallRecord = { kind, stream, startedAt: performance.now() };
    this.records.push(record);
    return record;
  }

  end(record: CallRecord): void {
    record.endedAt ??= performance.now();
  }

  /** A mark to count from: the number of calls so far. */
  mark(): number {
    return this.records.length;
  }

  /** The calls since a mark (all when none is given), in arrival order. */
  since(mark = 0): readonly CallRecord[] {
    return this.records.slice(mark);
  }

  /**
   * The sequential round trips among the answered calls since a mark: the largest number of them
   * of which no two were in flight at the same time (earliest-answer-first greedy, which finds the
   * maximum). Subscriptions are left out: they stay open.
   */
  roundTrips(mark = 0): number {
    const answered = this.since(mark)
      .filter((call): call is CallRecord & { endedAt: number } => call.endedAt !== undefined && call.kind !== 'subscribe')
      .sort((a, b) => a.endedAt - b.endedAt);
    let count = 0;
    let free = Number.NEGATIVE_INFINITY;
    for (const call of answered) {
      if (call.startedAt >= free) {
        count += 1;
        free = call.endedAt;
      }
    }
    return count;
  }
}
