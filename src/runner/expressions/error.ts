/** A problem in an expression, located by its offset in the text that holds it. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';

  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}
