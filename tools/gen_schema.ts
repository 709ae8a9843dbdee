/**
 * Regenerates the code made from `src/format/schema.fbs`:
 * - `src/format/generated/schema_layout.ts`: every table's field slots and kinds, enums and unions,
 *   which the library's reader, writer and verifier walk;
 * - `tests/format/generated/schema_generated.ts`: flatc's TypeScript (`--ts --ts-flat-files
 *   --gen-object-api`), with its `flatbuffers` import pinned to the npm version in package.json.
 *   Only the tests load it, as an independent check of the layout: the library itself needs
 *   neither these bindings nor the `flatbuffers` package.
 *
 * `--check` regenerates into memory and fails when the committed files differ.
 */
import { parseSchema, renderLayout } from "./schema_parser.ts";

const root = new URL("../", import.meta.url);
const schemaPath = new URL("src/format/schema.fbs", root);
const check = Deno.args.includes("--check");

const packageJson = JSON.parse(await Deno.readTextFile(new URL("package.json", root)));
const flatbuffersVersion: string = packageJson.devDependencies.flatbuffers;

async function runFlatc(): Promise<string> {
  const tmp = await Deno.makeTempDir();
  try {
    const flatc = new Deno.Command("flatc", {
      args: ["--ts", "--ts-flat-files", "--gen-object-api", "-o", tmp, schemaPath.pathname],
    });
    const { code, stderr } = await flatc.output().catch((error) => {
      throw new Error(
        `cannot run flatc (${error.message}); install Debian's flatbuffers-compiler`,
      );
    });
    if (code !== 0) throw new Error(`flatc failed: ${new TextDecoder().decode(stderr)}`);
    const text = await Deno.readTextFile(`${tmp}/schema_generated.ts`);
    const bare = "import * as flatbuffers from 'flatbuffers';";
    if (!text.includes(bare)) throw new Error("flatc output has no flatbuffers import to pin");
    return text.replace(
      bare,
      `import * as flatbuffers from 'npm:flatbuffers@${flatbuffersVersion}';`,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** Each generated file's text by its path in the repository. */
const outputs: Record<string, string> = {
  "src/format/generated/schema_layout.ts": renderLayout(
    parseSchema(await Deno.readTextFile(schemaPath)),
  ),
  "tests/format/generated/schema_generated.ts": `// deno-lint-ignore-file\n${await runFlatc()}`,
};

let stale = 0;
for (const [name, text] of Object.entries(outputs)) {
  const path = new URL(name, root);
  if (check) {
    const committed = await Deno.readTextFile(path).catch(() => "");
    if (committed !== text) {
      console.error(`${name} differs from a fresh generation`);
      stale++;
    }
  } else {
    await Deno.mkdir(new URL(".", path), { recursive: true });
    await Deno.writeTextFile(path, text);
    console.log(`wrote ${name}`);
  }
}
if (stale > 0) {
  console.error("run `deno task gen` and commit the result");
  Deno.exit(1);
}
