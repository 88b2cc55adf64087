/**
 * Most stream heads remembered between batches (the longest remembered are forgotten first).
 * Only streams written lately need their head at hand (a forgotten one costs one indexed read);
 * 100,000 took half an hour of the soak to fill, which kept its memory growing that long.
 */
const HEAD_CACHE_SIZE = 10_000;

/**
 * The head revision (-1: no stream) of streams this store appended to or checked, as of its last
 * commit. Trusted only while no other connection wrote to the file: every batch compares PRAGMA
 * data_version (which changes exactly when another connection committed) under the write lock,
 * and forgets them all when it moved. Also forgotten whenever a batch is rolled back. Should a
 * head ever be behind (say, forgotten in the middle of a huge batch), the UNIQUE (stream_id,
 * revision) index refuses the insert and the batch takes the careful path.
 */
export class StreamHeads {
  private readonly heads = new Map<string, number>();
  private dataVersion: number | undefined;

  constructor(private readonly readHead: (streamId: string) => number) {}

  /** Called under the write lock with the file's data_version: forgets every head if another connection committed since. */
  checkDataVersion(version: number): void {
    if (version !== this.dataVersion) {
      this.heads.clear();
      this.dataVersion = version;
    }
  }

  get(streamId: string): number {
    const cached = this.heads.get(streamId);
    if (cached !== undefined) return cached;
    const actual = this.readHead(streamId);
    this.remember(streamId, actual);
    return actual;
  }

  remember(streamId: string, revision: number): void {
    this.heads.set(streamId, revision);
    // Past the bound the oldest entry goes (Map iterates in insertion order).
    if (this.heads.size > HEAD_CACHE_SIZE) this.heads.delete(this.heads.keys().next().value as string);
  }

  forget(): void {
    this.heads.clear();
  }
}
