import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type FastifyError, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { randomUUID } from 'node:crypto';
import { PinoNestLogger, type Runtime } from '@agreements/platform';
import { AppModule } from '../app.module';
import { type LoadedCredentials, loadCredentials } from './credentials';
import { registerAccess } from './access';
import { clientErrorHandler, serverTimeouts } from './connection-limits';
import { registerConsole } from './console-static';
import { logFailure, sendApiError, toApiError } from './error.filter';
import { registerJsonBody } from './json-body';
import { openApiComponents } from './openapi';
import { registerSecurityHeaders } from './security-headers';

export const BODY_LIMIT = 256 * 1024;

type LoggedRequest = FastifyRequest & { principal?: { name: string }; startedAt?: bigint };

/**
 * Errors raised by Fastify itself (body too large, malformed JSON, wrong content type) never
 * reach Nest's filters; they are answered here in the same shape.
 */
function answerFastifyError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toApiError(err, request);
  logFailure(request, err, apiError);
  sendApiError(reply, apiError);
}

/**
 * Nest installs an error handler of its own that turns Fastify's errors into bare HttpExceptions
 * (their codes lost). Setting ours after it made Fastify warn of an override (FSTWRN004) on
 * every start; installing ours in its place sets the handler once.
 */
class ContractFastifyAdapter extends FastifyAdapter {
  override setErrorHandler(_nestHandler: Parameters<FastifyAdapter['setErrorHandler']>[0]) {
    return this.getInstance().setErrorHandler(answerFastifyError);
  }

  /** Nest's JSON parser is Fastify's default; ours (put in its place) adds strict UTF-8, positions and a depth limit. */
  override registerParserMiddleware(prefix?: string, rawBody?: boolean) {
    super.registerParserMiddleware(prefix, rawBody);
    registerJsonBody(this.getInstance(), BODY_LIMIT);
  }
}

/** The HTTP face of a runtime: Nest on Fastify, the contract's error shape everywhere, one log line per request. */
export async function createHttpApp(
  runtime: Runtime,
  credentials: LoadedCredentials = loadCredentials(runtime.config.apiKeys, runtime.config.dataDir),
): Promise<NestFastifyApplication> {
  const limits = runtime.config.http;
  const adapter = new ContractFastifyAdapter({
    bodyLimit: BODY_LIMIT,
    ...serverTimeouts(limits),
    // Ids over the router's limit and badly percent-encoded paths: 400 in the contract's shape.
    frameworkErrors: answerFastifyError,
    clientErrorHandler,
    loggerInstance: runtime.logger,
    // One line per request is written in onResponse below; Fastify's own two are off. (The
    // top-level disableRequestLogging option is deprecated: FSTDEP023.)
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRuntime(runtime, credentials.byToken), adapter, {
    logger: new PinoNestLogger(runtime.logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = runtime.metrics;
  // Plugins before the routes (app.init), so their onRoute hooks see every route.
  registerSecurityHeaders(fastify);
  if (limits.corsOrigins.length > 0) app.enableCors({ origin: limits.corsOrigins });
  fastify.addHook('onRequest', async (request: LoggedRequest) => {
    request.startedAt = process.hrtime.bigint();
  });
  fastify.addHook('onResponse', async (request: LoggedRequest, reply) => {
    const seconds = Number(process.hrtime.bigint() - (request.startedAt ?? process.hrtime.bigint())) / 1e9;
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, seconds);
    if (route.startsWith('/health') || route === '/metrics') return;
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(seconds * 1e4) / 10,
        correlationId: reply.getHeader('x-correlation-id') ?? request.headers['x-correlation-id'],
        actor: request.principal?.name,
      },
      'request',
    );
  });
  await registerAccess(fastify, credentials.byToken, limits);
  await registerConsole(fastify);

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('agreements')
      .setDescription(
        'Records international agreements and the negotiations around them as events, and answers their status now, on any past date, and as it was known at any time.',
      )
      .setVersion('1')
      .setOpenAPIVersion('3.1.0')
      .addBearerAuth()
      .build(),
  );
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...openApiComponents() } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  return app;
}
