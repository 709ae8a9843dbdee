/**
 * File access that works the same in Deno, Bun and Node. Only the CLI imports this module
 * statically; the library reaches it through `read_source.ts`'s dynamic import, when a caller
 * names a file by path (the browser bundle swaps it for `files_browser.ts`).
 */
import { randomUUID } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileError } from "./file_error.ts";

export { FileError };

function reason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "is a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return (error as Error).message ?? String(error);
}

/** Reads a whole file, named by path or `file:` URL; throws `FileError` naming the file. */
export async function readBytes(file: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new FileError(path, `cannot read: ${reason(error)}`);
  }
}

/**
 * Writes a whole file or nothing: the bytes go to a temporary file beside `path`, which is then
 * renamed over it, so that a failure never leaves a partial file.
 */
export async function writeBytesAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new FileError(path, `cannot write: ${reason(error)}`);
  }
}
