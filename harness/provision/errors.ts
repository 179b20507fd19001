// Errors of bringing stores up: each names the store (or the input) and keeps the underlying failure as `cause`.
import type { StoreKind } from './provisioner.ts';

/** A store could not be started, reached or stopped. */
export class ProvisionError extends Error {
  override name = 'ProvisionError';
  constructor(
    readonly store: StoreKind | 'provisioner',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${store}: ${message}`, options);
  }
}

/** A store did not become ready in time; the message carries the tail of its log. */
export class ProvisionTimeoutError extends ProvisionError {
  override name = 'ProvisionTimeoutError';
}

/** A setting given by the user (environment variable, CLI flag, option) is invalid; names it. */
export class ProvisionConfigError extends Error {
  override name = 'ProvisionConfigError';
  constructor(
    readonly input: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${input}: ${message}`, options);
  }
}
