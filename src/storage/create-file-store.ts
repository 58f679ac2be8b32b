import type { Config } from '../config.js';
import type { FileAudit } from './file-audit.js';
import type { FileStore } from './file-store.js';
import type { DataLayout } from './layout.js';
import { LocalFileStore } from './local-file-store.js';
import { S3FileStore } from './s3-file-store.js';
import type { S3Settings } from './s3-settings.js';

/** The S3 settings from the configuration, or null when files rest in the data folder. */
export function s3Settings(config: Config): S3Settings | null {
  const { S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } = config;
  if (!S3_BUCKET || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY) return null;
  return {
    endpoint: config.S3_ENDPOINT,
    bucket: S3_BUCKET,
    region: config.S3_REGION,
    accessKeyId: S3_ACCESS_KEY_ID,
    secretAccessKey: S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  };
}

export function createFileStore(config: Config, layout: DataLayout, audit: FileAudit): FileStore {
  const settings = s3Settings(config);
  return settings ? new S3FileStore(layout, audit, settings) : new LocalFileStore(layout, audit);
}
