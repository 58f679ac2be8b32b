import { z } from 'zod';

/**
 * The one place that reads the environment. Every value is validated at start-up; a bad value
 * stops the process with one line per problem rather than surfacing later as a strange failure.
 */
const MB = 1024 * 1024;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

const schema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  APP_PASSWORD: optionalText.pipe(z.string().min(8, 'must be at least 8 characters').optional()),
  SESSION_SECRET: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  MAX_UPLOAD_BYTES: int(1, 64 * 1024 * MB).default(500 * MB),
  STORAGE_BUDGET_BYTES: int(1, Number.MAX_SAFE_INTEGER).optional(),
  FFMPEG_THREADS: int(0, 64).default(0),
  FFMPEG_PROCESSES: int(0, 64).default(0),
  // Jobs this process renders at once; 0 renders nothing (an API process beside `vidvar worker`s).
  WORKER_CONCURRENCY: int(0, 8).default(1),
  // Set: jobs are queued in BullMQ and their records kept in Redis, for API and workers on several machines.
  REDIS_URL: optionalText.pipe(
    z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  ),
  // Every key and channel of this deployment in Redis starts with it: deployments may share one Redis.
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ and - only (1 to 40)')
    .default('vidvar'),
  // A worker that stops renewing its hold on a job (it died) loses it to another after this long.
  WORKER_LOCK_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  JOB_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 365)
    .default(24),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(240),
  JANITOR_INTERVAL_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(10),
  MAX_DURATION_SECONDS: z.coerce
    .number()
    .positive()
    .max(6 * 3600)
    .default(600),
  MAX_FRAME_SIDE: int(16, 16384).default(4096),
  OUTPUT_MAX_SIDE: int(64, 4096).default(1920),
  X264_PRESET: z
    .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'])
    .default('ultrafast'),
  STALL_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(60),
  UPLOAD_IDLE_SECONDS: z.coerce.number().positive().max(3600).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // How many proxies in front set X-Forwarded-*: 0 (off) unless every request passes through them.
  TRUST_PROXY: z.preprocess((v) => (v === 'true' ? 1 : v === 'false' ? 0 : v), int(0, 10).default(0)),
  PUBLIC_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  MAX_QUEUED_OUTPUTS: int(1, 1_000_000).default(1000),
  UPLOAD_EXPIRY_MINUTES: z.coerce
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(60),
  // Signs webhook events; webhooks are refused until it is set (see README, "Webhooks").
  WEBHOOK_SECRET: optionalText.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  // Lets webhooks reach private and loopback addresses: for tests and closed networks only.
  WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  // The first retry of a webhook waits this long, each next one 4 times longer (at most 8 h), for 24 h.
  WEBHOOK_FIRST_RETRY_SECONDS: z.coerce.number().min(0.05).max(3600).default(30),
  // Files rest in this S3-compatible bucket when set (README, "Running on several machines").
  S3_BUCKET: optionalText,
  // Unset means AWS itself; R2, Tigris, MinIO give their own URL.
  S3_ENDPOINT: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  // us-east-1 is what MinIO expects, what R2 takes for its `auto`, and AWS redirects from it.
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  // Bucket in the path (MinIO, most self-hosted servers) rather than in the host name (AWS, R2).
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(schema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = schema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  const problems = [...missingS3Settings(parsed.data), ...crossChecks(parsed.data)];
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/** S3 is on when a bucket is named; then it cannot work without the keys. */
function missingS3Settings(config: Config): string[] {
  if (config.S3_BUCKET === undefined) return [];
  const required = ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;
  return required
    .filter((name) => config[name] === undefined)
    .map((name) => `${name}: required when S3_BUCKET is set`);
}

/** Settings that are each valid but do not work together. */
function crossChecks(config: Config): string[] {
  const problems: string[] = [];
  if (config.REDIS_URL && !config.APP_PASSWORD) {
    // Each process would print a password of its own, and a browser could sign in on one API only.
    problems.push('APP_PASSWORD: required with REDIS_URL, so that every API process accepts the same one');
  }
  return problems;
}
