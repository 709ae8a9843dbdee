/**
 * File access that works the same in Deno, Bun and Node. Only the CLI imports this module
 * statically; the library reaches it through `read_source.ts`'s dynamic import, when a caller
 * names a file by path (the browser bundle swaps it for `files_browser.ts`).
 */
import { randomUUID } from "node:crypto";
import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FileError } from "./file_error.ts";

export { FileError };

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "is a directory",
  ENOTDIR: "a folder on the path is a file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  ENAMETOOLONG: "the name is too long",
};

function reason(error: unknown): string {
  const { code, name, message } = (error ?? {}) as {
    code?: string;
    name?: string;
    message?: string;
  };
  if (code && code in REASONS) return REASONS[code];
  // Deno without --allow-read/--allow-write for the path.
  if (name === "NotCapable" || name === "PermissionDenied") return `not permitted: ${message}`;
  return message ?? String(error);
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
    // Removing fails too where writing failed for the folder (not a folder, not permitted).
    await rm(temporary, { force: true }).catch(() => {});
    throw new FileError(path, `cannot write: ${reason(error)}`);
  }
}

/**
 * Whether two paths name the same file: the same device and inode when both exist (so links and
 * different spellings match), the same absolute path otherwise.
 */
export async function sameFile(first: string, second: string): Promise<boolean> {
  const identity = async (path: string) => {
    try {
      const { dev, ino } = await stat(path);
      return ino ? `${dev}:${ino}` : null;
    } catch {
      return null;
    }
  };
  const [a, b] = await Promise.all([identity(first), identity(second)]);
  return a !== null && b !== null ? a === b : resolve(first) === resolve(second);
}
