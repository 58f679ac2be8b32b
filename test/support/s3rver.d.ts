// s3rver ships no types; this is the part of its API the tests use.
declare module 's3rver' {
  interface S3rverOptions {
    port?: number;
    address?: string;
    silent?: boolean;
    directory: string;
    configureBuckets?: Array<{ name: string }>;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    /** Makes the configured buckets without serving (run() does it before it listens). */
    configureBuckets(): Promise<unknown>;
    /** The request handler, for a server of one's own. */
    callback(): import('node:http').RequestListener;
  }
}
