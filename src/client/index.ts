/**
 * The typed client as the package exports it (`import { VidvarClient } from 'vidvar/client'`): one
 * entry point, so the files behind it can move without breaking anyone's import.
 */
export { CLIENT_ROUTES, type ClientRoute } from './api-routes.js';
export type { UploadData, UploadSource } from './upload-source.js';
export {
  type CreateJobOptions,
  VidvarApiError,
  VidvarClient,
  type VidvarClientOptions,
} from './vidvar-client.js';
