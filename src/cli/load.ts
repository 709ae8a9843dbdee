/** Reading a model file for a command, with format errors reported against the file. */
import { ModelFormatError } from "../format/errors.ts";
import type { Model } from "../format/ir.ts";
import { readModel } from "../format/reader.ts";
import { FileError, readBytes } from "../io/files.ts";

/** The model at `path` and its size; a bad file is a `FileError` naming it. */
export async function loadModel(path: string): Promise<{ model: Model; bytes: number }> {
  const bytes = await readBytes(path);
  try {
    return { model: readModel(bytes), bytes: bytes.byteLength };
  } catch (error) {
    if (error instanceof ModelFormatError) throw new FileError(path, error.message);
    throw error;
  }
}
