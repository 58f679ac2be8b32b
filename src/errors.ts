/**
 * An error a user can act on: it carries a stable machine-readable code, one sentence a marketer
 * understands, and the HTTP status the server answers with. Anything that is not a UserError is
 * logged in full and shown to users only as a generic failure.
 */
export class UserError extends Error {
  readonly code: string;
  readonly status: number;
  /** When trying again makes sense (sent as Retry-After). */
  readonly retryAfterS: number | undefined;

  constructor(
    code: string,
    message: string,
    status = 400,
    options?: { cause?: unknown; retryAfterS?: number },
  ) {
    super(message, options);
    this.name = 'UserError';
    this.code = code;
    this.status = status;
    this.retryAfterS = options?.retryAfterS;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
