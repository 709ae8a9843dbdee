/**
 * A model file that is not a valid TFLite flatbuffer, or whose contents contradict each other.
 * `path` names where: `subgraph 0, tensor 12 "conv/kernel"`.
 */
export class ModelFormatError extends Error {
  /** Where in the model the problem is; empty for whole-file problems. */
  readonly path: string;
  /**
   * An error whose message is `path: problem` (or `problem` alone for an empty path).
   * @param path where in the model
   * @param problem what is wrong there
   */
  constructor(path: string, problem: string) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = "ModelFormatError";
    this.path = path;
  }
}
