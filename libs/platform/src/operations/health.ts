import { Injectable } from '@nestjs/common';

export type ComponentStatus = 'up' | 'degraded' | 'down';

export interface ComponentHealth {
  status: ComponentStatus;
  detail?: string;
  [k: string]: unknown;
}

export interface HealthCheck {
  name: string;
  check(): Promise<ComponentHealth>;
}

const TIMEOUT_MS = 2000;

/**
 * Readiness: `down` on any component answers 503 (do not send traffic); `degraded` answers 200
 * with the reason (commands are still accepted; e.g. Kafka away or projections behind).
 */
@Injectable()
export class HealthRegistry {
  private readonly checks: HealthCheck[] = [];

  register(check: HealthCheck): void {
    this.checks.push(check);
  }

  async report(): Promise<{ status: ComponentStatus; components: Record<string, ComponentHealth> }> {
    const results = await Promise.all(
      this.checks.map(async (c): Promise<[string, ComponentHealth]> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<ComponentHealth>((resolve) => {
          timer = setTimeout(() => resolve({ status: 'down', detail: `no answer within ${TIMEOUT_MS} ms` }), TIMEOUT_MS);
        });
        try {
          return [c.name, await Promise.race([c.check(), timeout])];
        } catch (err) {
          return [c.name, { status: 'down', detail: (err as Error).message }];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const components = Object.fromEntries(results);
    const statuses = results.map(([, h]) => h.status);
    const status: ComponentStatus = statuses.includes('down') ? 'down' : statuses.includes('degraded') ? 'degraded' : 'up';
    return { status, components };
  }
}
