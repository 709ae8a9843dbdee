/**
 * `writeModel`'s bytes are pinned, not only its round trip: `tests/fixtures/format/written_sha256.json`
 * holds the SHA-256 of `writeModel(readModel(file))` for every model in `tests/fixtures` and
 * `../shared`, first recorded when the writer still used npm flatbuffers' `Builder` (whose bytes
 * liteq's builder reproduces: `flatbuffer_builder_test.ts`), re-recorded when the writer stopped
 * writing empty min/max vectors and again when it began aligning buffers for their element type
 * (not 16 bytes) and writing equal strings and vectors once (`tools/record_written_sha256.ts`).
 * Any change to the builder's alignment, vtable or object sharing or field order shows up here as
 * a changed hash.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readModel, writeModel } from "../../mod.ts";
import { FIXTURES, readBytesSync, ROOT, SHARED } from "../helpers.ts";

const RECORDED: Record<string, string> = JSON.parse(
  readFileSync(`${FIXTURES}/format/written_sha256.json`, "utf8"),
);

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A recorded name's file: `fixtures/…` under tests/, `shared/…` in ../shared (null if absent). */
function pathOf(name: string): string | null {
  if (name.startsWith("fixtures/")) return `${ROOT}tests/${name}`;
  return SHARED === null ? null : `${SHARED}/${name.slice("shared/".length)}`;
}

Deno.test("writeModel writes every recorded model byte for byte as recorded", () => {
  let compared = 0;
  for (const [name, recorded] of Object.entries(RECORDED)) {
    const path = pathOf(name);
    if (path === null) continue;
    const written = writeModel(readModel(readBytesSync(path)));
    assert.equal(sha256(written), recorded, `${name}: written bytes differ`);
    compared++;
  }
  assert.ok(compared >= 344, `${compared} models compared`);
});
