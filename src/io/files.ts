/** File access that works the same in Deno, Bun and Node. */
import { randomUUID } from "node:crypto";
import { readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

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

/** Reads a whole file; throws `FileError` naming the file. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw new FileError(path, `cannot read: ${reason(error)}`);
  }
}

/**
 * The bytes at a URL: read from disk for `file:` URLs, fetched otherwise (http(s), data, blob).
 * Throws `FileError` naming the URL.
 */
export async function readUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  if (url.protocol === "file:") return new Uint8Array(await readBytes(fileURLToPath(url)));
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new FileError(url.href, `cannot fetch: ${reason(error)}`);
  }
  if (!response.ok) throw new FileError(url.href, `cannot fetch: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
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
