/** A piece that runs in the background of a process (projector, relay) and must stop cleanly. */
export interface BackgroundService {
  name: string;
  stop(): Promise<void>;
}
