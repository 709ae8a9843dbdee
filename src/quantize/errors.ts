/** The error for quantization requests that cannot be carried out. */

/**
 * A quantization that cannot be done: the message names the op, tensor, option or calibration
 * sample at fault.
 */
export class QuantizeError extends Error {
  /**
   * An error with the message naming the op, tensor or option at fault.
   * @param message what is at fault and why
   * @param sample the position of the calibration sample at fault, when the representative
   *   dataset is (a sample that does not fit the model's inputs or makes an activation infinite
   *   or NaN); undefined when the model or the options are
   */
  constructor(message: string, readonly sample?: number) {
    super(message);
    this.name = "QuantizeError";
  }
}
