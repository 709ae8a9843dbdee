/**
 * The bytes of a file named by path or URL, with no Node built-in imported up front: http(s),
 * `data:` and `blob:` URLs are fetched, and `files.ts` (Node's file system) is imported only
 * when a path or a `file:` URL is read.
 */
import { FileError } from "./file_error.ts";

/** A URL that `fetch` reads: http(s), `data:` or `blob:`. */
const FETCHED = /^(https?|data|blob):/;

function reason(error: unknown): string {
  return (error as Error).message ?? String(error);
}

async function fetchBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new FileError(url, `cannot fetch: ${reason(error)}`);
  }
  if (!response.ok) throw new FileError(url, `cannot fetch: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * The whole content of `source`: a URL (or a string starting with `http:`, `https:`, `file:`,
 * `data:` or `blob:`), or a file path. Throws `FileError` naming it.
 */
export async function readSource(source: string | URL): Promise<Uint8Array<ArrayBuffer>> {
  const href = source instanceof URL ? source.href : source;
  if (FETCHED.test(href)) return fetchBytes(href);
  const { readBytes } = await import("./files.ts");
  return readBytes(href.startsWith("file:") ? new URL(href) : href);
}
