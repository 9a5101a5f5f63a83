/**
 * Checks of what callers hand the Blocks client, before any request: a bad value is the
 * person's input (a UserInputError with a message safe to show), never a request Blocks refuses.
 */
import { UserInputError } from '../../core/errors.js';
import { isUuid } from './links.js';
import { asObject } from './normalize.js';

export const ALLOWED_TYPES = new Set(['message', 'final_message', 'tool_call']);
export const ALLOWED_ROLES = new Set(['user', 'assistant']);

export function requireUuid(value: unknown, what: string): string {
  if (typeof value !== 'string' || !isUuid(value)) {
    throw new UserInputError(`${what} must be a UUID such as 0b7f5a4e-1111-4c2d-9a00-000000000001`, 'INVALID_ID');
  }
  return value;
}

export function requireMessage(message: unknown): string {
  if (typeof message !== 'string' || message.trim() === '') throw new UserInputError('The message to the agent is empty: write what you want it to do.', 'EMPTY_PROMPT');
  return message;
}

export function requireProfile(profile: unknown): Record<string, unknown> {
  const object = asObject(profile);
  if (!object) throw new UserInputError('profile must be a JSON object', 'INVALID_PROFILE');
  return object;
}

export function artifactIdsOf(ids: string[] | undefined): string[] | undefined {
  if (ids === undefined) return undefined;
  return ids.map((id) => requireUuid(id, 'artifact id'));
}

export function positiveInt(value: number | undefined, what: string, max?: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || (max !== undefined && value > max)) {
    throw new UserInputError(`${what} must be an integer from 1${max !== undefined ? ` to ${max}` : ''}`, 'INVALID_QUERY');
  }
  return value;
}
