import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthRegistry, Metrics } from '@agreements/platform';

@ApiTags('operations')
@Controller()
export class OperationsController {
  constructor(
    private readonly health: HealthRegistry,
    private readonly metrics: Metrics,
  ) {}

  @Get('health/live')
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'up' };
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Event store, read models and (when configured) Kafka: up, degraded (200) or down (503)' })
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.health.report();
    if (report.status === 'down') void reply.status(503);
    return report;
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText() {
    return this.metrics.registry.metrics();
  }
}
