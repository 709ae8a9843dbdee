/** The error for models the interpreter cannot run. */

/**
 * A model the interpreter cannot run, found at load: where (`operator 3 CONV_2D (version 2)`,
 * `tensor 0 "name"`, `model`) and why.
 */
export class UnsupportedModelError extends Error {
  /**
   * An error whose message is `where: reason`.
   * @param where what in the model
   * @param reason what is not supported
   */
  constructor(readonly where: string, readonly reason: string) {
    super(`${where}: ${reason}`);
    this.name = "UnsupportedModelError";
  }
}
