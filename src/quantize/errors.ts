/** The error for quantization requests that cannot be carried out. */

/** A quantization that cannot be done: the message names the op, tensor or option at fault. */
export class QuantizeError extends Error {
  /** An error with the message naming the op, tensor or option at fault. */
  constructor(message: string) {
    super(message);
    this.name = "QuantizeError";
  }
}
