/**
 * Re-records `tests/fixtures/format/written_sha256.json` (checked by
 * `tests/format/written_bytes_test.ts`): for every model it names, the SHA-256 of
 * `writeModel(readModel(file))` as the writer writes it now. Run after a deliberate change to the
 * bytes the writer writes, with `../shared` beside the repository (its entries are kept as they
 * are when it is absent).
 *
 * usage: deno run --allow-read --allow-write --allow-env tools/record_written_sha256.ts
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { readModel } from "../src/format/reader.ts";
import { writeModel } from "../src/format/writer.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const RECORD = `${ROOT}tests/fixtures/format/written_sha256.json`;

/** A recorded name's file: `fixtures/…` under tests/, `shared/…` in ../shared. */
function pathOf(name: string): string {
  return name.startsWith("fixtures/")
    ? `${ROOT}tests/${name}`
    : `${ROOT}../shared/${name.slice("shared/".length)}`;
}

const recorded: Record<string, string> = JSON.parse(readFileSync(RECORD, "utf8"));
let changed = 0;
for (const name of Object.keys(recorded)) {
  const path = pathOf(name);
  if (!existsSync(path)) continue;
  const written = writeModel(readModel(new Uint8Array(readFileSync(path))));
  const sha256 = createHash("sha256").update(written).digest("hex");
  if (sha256 !== recorded[name]) changed++;
  recorded[name] = sha256;
}
writeFileSync(RECORD, JSON.stringify(recorded, null, 2) + "\n");
console.log(`${changed} of ${Object.keys(recorded).length} hashes changed`);
