/** The error of a file or URL that cannot be read or written (no Node built-ins: browsers load it). */

/** A file that cannot be read or written, named with the reason. */
export class FileError extends Error {
  /**
   * An error whose message is `path: reason`.
   * @param path the file path or URL
   * @param reason what went wrong (`cannot read: no such file`)
   */
  constructor(readonly path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = "FileError";
  }
}
