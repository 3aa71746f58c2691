/**
 * Errors that operating conditions produce (bad input, unknown objects, conflicts). They carry a
 * stable snake_case code and the HTTP status the JSON API answers with. Programmer errors are
 * assertions instead (see assert.ts) and crash loudly.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number = 400,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(code, message, 400, details);
export const notFound = (what: string, id: string | number) =>
  new AppError('not_found', `${what} ${JSON.stringify(String(id))} does not exist`, 404);
export const conflict = (code: string, message: string) => new AppError(code, message, 409);
export const forbidden = (message = 'You do not have the right to do this') =>
  new AppError('forbidden', message, 403);
