/** Where the tests find their models: the committed fixtures and, when present, `../shared`. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository's root folder (`LITEQ_ROOT` when the tests run from a bundle elsewhere). */
export const ROOT = process.env.LITEQ_ROOT ?? fileURLToPath(new URL("../", import.meta.url));

/** `tests/fixtures/` inside the repository. */
export const FIXTURES = `${ROOT}tests/fixtures`;

/** The shared material beside the repository, or null (tests that need it then skip). */
export const SHARED: string | null = existsSync(`${ROOT}../shared/models`)
  ? `${ROOT}../shared`
  : null;

/** Every `.tflite` file directly in `folder`, as [name, path] pairs sorted by name. */
export function modelsIn(folder: string): [string, string][] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(".tflite"))
    .sort()
    .map((name) => [name, `${folder}/${name}`]);
}

/** A file's bytes, read synchronously (tests and benchmarks only). */
export function readBytesSync(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Prints why a test that needs `../shared` did nothing. */
export function skipWithoutShared(what: string): boolean {
  if (SHARED) return false;
  console.log(`skipped: ${what} needs ../shared, which is absent`);
  return true;
}
