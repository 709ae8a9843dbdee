/**
 * What the browser bundle has in place of `files.ts` (`tools/browser_imports.json` maps one to
 * the other): a page has no files to read by path, so naming one is a `FileError` saying what to
 * pass instead.
 */
import { FileError } from "./file_error.ts";

export { FileError };

/** Always throws: a browser reads no file by path. */
export function readBytes(file: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  return Promise.reject(
    new FileError(String(file), "cannot read files by path in a browser: pass bytes or a URL"),
  );
}

/** Always throws: a browser writes no file by path. */
export function writeBytesAtomic(path: string, _bytes: Uint8Array): Promise<void> {
  return Promise.reject(new FileError(path, "cannot write files in a browser"));
}
