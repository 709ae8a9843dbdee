/**
 * Compiles `assembly/` with AssemblyScript twice: `build/liteq_simd.wasm` (plain WebAssembly SIMD,
 * runs everywhere) and `build/liteq_relaxed.wasm` (also relaxed SIMD: fused multiply-add and the
 * int8 dot product; chosen at load only after its self-test passes). The compiled files are
 * committed so that a URL import of `mod.ts` needs no build step; `--check` compiles in memory
 * and fails when a committed file differs.
 */
import asc from "npm:assemblyscript@0.28.20/asc";

const root = new URL("../", import.meta.url);
const check = Deno.args.includes("--check");
const TARGETS: Record<string, string[]> = {
  "build/liteq_simd.wasm": ["--enable", "simd"],
  "build/liteq_relaxed.wasm": ["--enable", "simd", "--enable", "relaxed-simd"],
};

/** The compiled bytes of `target`. */
async function compile(target: string, features: string[]): Promise<Uint8Array> {
  const outputs = new Map<string, Uint8Array>();
  const { error, stderr } = await asc.main(
    [
      "assembly/index.ts",
      "--outFile",
      target,
      "--optimizeLevel",
      "3",
      "--shrinkLevel",
      "0",
      "--runtime",
      "stub",
      "--noAssert",
      ...features,
      "--initialMemory",
      "1",
    ],
    {
      readFile: (name: string, baseDir: string) => {
        try {
          return Deno.readTextFileSync(new URL(`${baseDir}/${name}`.replace(/^\.\//, ""), root));
        } catch {
          return null;
        }
      },
      writeFile: (name: string, contents: Uint8Array | string) => {
        outputs.set(
          name,
          typeof contents === "string" ? new TextEncoder().encode(contents) : contents,
        );
      },
      listFiles: () => [],
    },
  );
  if (error) {
    console.error(`AssemblyScript failed on ${target}: ${error.message}\n${stderr}`);
    Deno.exit(1);
  }
  const wasm = outputs.get(target);
  if (!wasm) throw new Error(`asc wrote no ${target}`);
  return wasm;
}

let stale = false;
for (const [target, features] of Object.entries(TARGETS)) {
  const wasm = await compile(target, features);
  const path = new URL(target, root);
  if (check) {
    const committed = await Deno.readFile(path).catch(() => new Uint8Array(0));
    if (committed.length !== wasm.length || committed.some((byte, index) => byte !== wasm[index])) {
      console.error(`${target} differs from a fresh build: run \`deno task build\` and commit it`);
      stale = true;
    }
  } else {
    await Deno.mkdir(new URL("build/", root), { recursive: true });
    await Deno.writeFile(path, wasm);
    console.log(`wrote ${target} (${wasm.length} bytes)`);
  }
}
if (stale) Deno.exit(1);
