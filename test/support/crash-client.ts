import { randomUUID } from 'node:crypto';

const RUS = { id: 'RUS', name: 'Russia' };

export interface CrashCommand {
  path: string;
  body: { type: string; commandId: string; occurredAt: string; data: Record<string, unknown> };
}

/**
 * What one client of a crash test sends: its own agreement drafted (again, until a draft was
 * acknowledged), then a provision added per command, each with a fresh command id.
 */
export class CrashClientCommands {
  readonly path: string;
  private drafted = false;
  private provisions = 0;

  constructor(
    agreementId: string,
    private readonly n: number,
  ) {
    this.path = `/v1/agreements/${agreementId}/commands`;
  }

  next(): CrashCommand {
    const body = this.drafted
      ? {
          type: 'AddProvision',
          commandId: randomUUID(),
          occurredAt: '2017-06',
          data: { provisionId: `p-${this.provisions++}`, kind: 'commitment', title: `Commitment of client ${this.n}` },
        }
      : { type: 'DraftAgreement', commandId: randomUUID(), occurredAt: '2017-05', data: { title: `Crash ${this.n}`, kind: 'ceasefire', parties: [RUS] } };
    return { path: this.path, body };
  }

  /** The last command was acknowledged: the agreement exists from now on. */
  acknowledged(): void {
    this.drafted = true;
  }
}
