import { createHash, createHmac } from 'node:crypto';

/**
 * Secrets a client holds (session ids, API tokens) are stored only as hashes, so a copy of the
 * database hands out nothing that works. With SESSION_SECRET set the hash is keyed (HMAC): someone
 * who can write to the database still cannot plant a secret of their own. Changing the key voids
 * every stored secret.
 */
export function secretHasher(key: string | undefined): (secret: string) => string {
  if (key === undefined) return (secret) => createHash('sha256').update(secret).digest('base64url');
  return (secret) => createHmac('sha256', key).update(secret).digest('base64url');
}
