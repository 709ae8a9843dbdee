/** The error for quantization requests that cannot be carried out. */

/** What a `QuantizeError` may carry besides its message. */
export interface QuantizeErrorOptions extends ErrorOptions {
  /** The position of the calibration sample at fault, when the representative dataset is. */
  sample?: number;
}

/**
 * A quantization that cannot be done: the message names the op, tensor, option or calibration
 * sample at fault.
 */
export class QuantizeError extends Error {
  /**
   * The position of the calibration sample at fault, when the representative dataset is;
   * undefined when the model or the options are.
   */
  readonly sample?: number;

  /**
   * An error with the message naming the op, tensor or option at fault.
   * @param message what is at fault and why
   * @param options `cause`: the error that led to it (one thrown by the caller's dataset, say);
   *   `sample`: the position of the calibration sample at fault, when the representative dataset
   *   is (a sample that does not fit the model's inputs or makes an activation infinite or NaN)
   */
  constructor(message: string, options?: QuantizeErrorOptions) {
    super(message, options);
    this.sample = options?.sample;
    this.name = "QuantizeError";
  }
}
