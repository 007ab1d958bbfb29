/** The browser could not be started or reached: `message` says what happened, `hint` what to do. */
export class BrowserStartError extends Error {
  override name = 'BrowserStartError';

  constructor(
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** No browser where flow was told to look (`path`), or none anywhere (`path` undefined). */
export class BrowserNotFoundError extends BrowserStartError {
  override name = 'BrowserNotFoundError';

  constructor(
    message: string,
    hint: string,
    readonly path?: string,
  ) {
    super(message, hint);
  }
}
