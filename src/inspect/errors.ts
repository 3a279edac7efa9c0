import { TheusError } from '../errors.js';

/**
 * The inspector's errors: `INSPECTOR_REQUEST` (a malformed query, answered 400),
 * `INSPECTOR_NOT_FOUND` (an unknown engine or version, 404), `INSPECTOR_NOT_RETAINED` (a version
 * older than what the inspector and the store keep, 410), `INSPECTOR_LISTEN` (the server could not
 * start).
 */
export class InspectorError extends TheusError {
  readonly status: number;
  constructor(code: 'INSPECTOR_REQUEST' | 'INSPECTOR_NOT_FOUND' | 'INSPECTOR_NOT_RETAINED' | 'INSPECTOR_LISTEN', message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.status = code === 'INSPECTOR_REQUEST' ? 400 : code === 'INSPECTOR_NOT_FOUND' ? 404 : code === 'INSPECTOR_NOT_RETAINED' ? 410 : 500;
  }
}
