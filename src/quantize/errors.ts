/** The error for quantization requests that cannot be carried out. */

/** A quantization that cannot be done: the message names the op, tensor or option at fault. */
export class QuantizeError extends Error {
  /**
   * An error with the message naming the op, tensor or option at fault; `options.cause` keeps
   * the error that led to it (one thrown by the caller's dataset, say).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "QuantizeError";
  }
}
