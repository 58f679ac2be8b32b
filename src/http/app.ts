import { existsSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { createJobService } from '../jobs/job-service.js';
import { createUploadService } from '../jobs/upload-service.js';
import { s3Settings } from '../storage/create-file-store.js';
import { createFileAudit } from '../storage/file-audit.js';
import { LocalFileStore } from '../storage/local-file-store.js';
import { VERSION } from '../version.js';
import type { ApiApp, AppDeps } from './deps.js';
import { displayName } from './display-name.js';
import { describeEffect } from './effect-labels.js';
import {
  answerClientError,
  answerFrameworkError,
  installErrorHandlers,
  isClientError,
  notFoundError,
  sendError,
} from './error-handler.js';
import { LoginThrottle } from './login-throttle.js';
import { registerOpenApi, registerOpenApiRoute } from './openapi.js';
import { installRouteAccess, markScopeAsWebAssets } from './route-access.js';
import { registerCompareRoute } from './routes/compare.js';
import { registerDownloadRoutes } from './routes/downloads.js';
import { registerEarlierUploadsRoute } from './routes/earlier-uploads.js';
import { registerHealthRoute } from './routes/health.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerLinkImportRoute } from './routes/link-import.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { registerUploadRoutes } from './routes/uploads.js';
import { installSecurityHeaders } from './security-headers.js';
import { DEFAULT_UPLOAD_IDLE_MS, installUploadIdleTimeout } from './upload-idle.js';

/**
 * The HTTP server, not yet listening: main.ts owns listen and shutdown, tests listen on port 0.
 * Everything it touches is passed in, so a test needs only a temporary folder and SQLite file.
 */
export async function createApp(deps: AppDeps): Promise<ApiApp> {
  const now = deps.clock ?? Date.now;
  const { config, layout, store, logger } = deps;
  const app = Fastify({
    loggerInstance: logger,
    // Off unless a proxy in front is known to set X-Forwarded-For: a client that reaches the server
    // directly would otherwise pick its own address (and escape the login throttle). With n, the
    // address n hops back is the client's: whatever a client wrote further left is ignored.
    trustProxy: config.TRUST_PROXY > 0 ? (_address: string, hop: number) => hop < config.TRUST_PROXY : false,
    // JSON bodies are tiny; files come through tus or multipart, which stream and have their own limits.
    bodyLimit: 64 * 1024,
    // Bad percent-encoding and the like never reach a route: answered in our format too.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  }).withTypeProvider() as unknown as ApiApp;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);
  installSecurityHeaders(app);
  installUploadIdleTimeout(app, deps.uploadIdleMs ?? DEFAULT_UPLOAD_IDLE_MS);

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart);
  await registerOpenApi(app, VERSION);

  installRouteAccess(app, {
    sessions: deps.sessions,
    tokens: deps.tokens,
    now,
    publicOrigin: config.PUBLIC_URL,
  });

  const audit = createFileAudit(layout, logger);
  const files = deps.files ?? new LocalFileStore(layout, audit);
  const uploads = createUploadService({ store, layout, engine: deps.engine, audit, files, now, logger });
  const jobs = createJobService({
    store,
    webhooks: deps.webhooks,
    layout,
    budget: deps.budget,
    worker: deps.worker,
    events: deps.events,
    audit,
    files,
    engine: deps.engine,
    now,
    jobTtlMs: config.JOB_TTL_HOURS * 3600 * 1000,
    maxQueuedOutputs: config.MAX_QUEUED_OUTPUTS,
    logger,
  });

  registerHealthRoute(app, {
    store,
    worker: deps.worker,
    dataDir: layout.root,
    version: VERSION,
    isDraining: deps.isDraining,
  });
  registerSessionRoutes(app, {
    sessions: deps.sessions,
    password: deps.password,
    throttle: new LoginThrottle(deps.throttleState),
    now,
  });
  await registerUploadRoutes(app, {
    layout,
    files,
    s3: files.kind === 's3' ? s3Settings(config) : null,
    store,
    uploads,
    budget: deps.budget,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    isDraining: deps.isDraining,
    idempotency: deps.idempotency,
    now,
  });
  registerEarlierUploadsRoute(app, { store });
  registerLinkImportRoute(app, {
    link: {
      uploads,
      layout,
      audit,
      budget: deps.budget,
      maxBytes: config.MAX_UPLOAD_BYTES,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      displayName: (raw) => displayName(raw),
      logger,
    },
    isDraining: deps.isDraining,
  });
  registerJobRoutes(app, {
    store,
    jobs,
    uploads,
    events: deps.events,
    budget: deps.budget,
    layout,
    audit,
    describe: describeEffect,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    isDraining: deps.isDraining,
    webhooks: deps.webhooks,
    idempotency: deps.idempotency,
    now,
    webhookPolicy: {
      secret: config.WEBHOOK_SECRET,
      allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
      publicUrl: config.PUBLIC_URL,
    },
  });
  registerTokenRoutes(app, { tokens: deps.tokens, now });
  registerDownloadRoutes(app, { store, layout, files, toolVersion: VERSION, engine: deps.engine });
  registerCompareRoute(app, {
    store,
    layout,
    files,
    audit,
    engine: deps.engine,
    isDraining: deps.isDraining,
  });
  registerOpenApiRoute(app);

  if (deps.webRoot && existsSync(deps.webRoot)) {
    const webRoot = deps.webRoot;
    await app.register(async (scope) => {
      markScopeAsWebAssets(scope);
      // `//x`, `..` or a NUL in a file path: refused by the file server, answered as "no such file".
      scope.setErrorHandler((error, request, reply) => {
        reply.header('Cache-Control', 'no-store');
        return sendError(isClientError(error) ? notFoundError() : error, request, reply);
      });
      await scope.register(fastifyStatic, { root: webRoot, prefix: '/' });
    });
  }
  return app;
}
