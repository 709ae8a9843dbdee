/** The errors for models the interpreter cannot run: at load, and at invoke. */

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

/**
 * A model that cannot run on the values it was given, found at invoke, where TFLite's kernel
 * returns an error status: an index computed at run time outside its axis (GATHER). Where
 * (`operator 3 GATHER (version 1)`) and why, naming the tensor. An `UnsupportedModelError`, so a
 * caller that handles load errors handles it too.
 */
export class InvokeError extends UnsupportedModelError {
  /**
   * An error whose message is `where: reason`.
   * @param where what in the model
   * @param reason what went wrong
   */
  constructor(where: string, reason: string) {
    super(where, reason);
    this.name = "InvokeError";
  }
}
