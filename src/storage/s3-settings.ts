import type { S3ClientConfig } from '@aws-sdk/client-s3';

/** What the S3 client needs, read from the S3_* variables (src/config.ts checks them at start-up). */
export interface S3Settings {
  endpoint?: string | undefined;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** Tries per request, the first included; the SDK waits with jittered exponential backoff between. */
  maxAttempts?: number;
}

export const DEFAULT_S3_ATTEMPTS = 5;

export function s3ClientConfig(settings: S3Settings): S3ClientConfig {
  return {
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    maxAttempts: settings.maxAttempts ?? DEFAULT_S3_ATTEMPTS,
    retryMode: 'standard',
    // On AWS a bucket outside S3_REGION answers with a redirect; follow it rather than fail.
    followRegionRedirects: true,
    // Checksums only where S3 requires them: several S3-compatible services (R2, older MinIO) reject
    // the newer default trailing checksums on streamed uploads.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}
