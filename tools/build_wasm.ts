/**
 * Compiles `assembly/` with AssemblyScript twice: `build/liteq_simd.wasm` (plain WebAssembly SIMD,
 * runs everywhere) and `build/liteq_relaxed.wasm` (also relaxed SIMD: fused multiply-add and the
 * int8 dot product; chosen at load only after its self-test passes). The compiled files are
 * committed so that a URL import of `mod.ts` needs no build step. From the declarations the
 * compiler emits beside each build (`--bindings raw`) it writes the TypeScript interface of the
 * kernels, `src/runtime/kernel_exports.generated.ts`, after checking that both builds declare the
 * same exports and that each module exports exactly those names. `--check` compiles in memory and
 * fails when a committed file differs.
 */
import asc from "npm:assemblyscript@0.28.20/asc";

const root = new URL("../", import.meta.url);
const check = Deno.args.includes("--check");
const TARGETS: Record<string, string[]> = {
  "build/liteq_simd.wasm": ["--enable", "simd"],
  "build/liteq_relaxed.wasm": ["--enable", "simd", "--enable", "relaxed-simd"],
};
const INTERFACE = "src/runtime/kernel_exports.generated.ts";
/** deno fmt's line width: longer signatures are written one parameter a line, as it would. */
const LINE_WIDTH = 100;

/** What one build yields: the module, and the declarations of its exports. */
interface Build {
  wasm: Uint8Array<ArrayBuffer>;
  declarations: string;
}

/** Compiles `target` with `features`. */
async function compile(target: string, features: string[]): Promise<Build> {
  const outputs = new Map<string, Uint8Array<ArrayBuffer>>();
  const { error, stderr } = await asc.main(
    [
      "assembly/index.ts",
      "--outFile",
      target,
      "--bindings",
      "raw",
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
          typeof contents === "string" ? new TextEncoder().encode(contents) : contents.slice(),
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
  const declarations = outputs.get(target.replace(/\.wasm$/, ".d.ts"));
  if (!wasm || !declarations) throw new Error(`asc wrote no ${target} or no declarations for it`);
  return { wasm, declarations: new TextDecoder().decode(declarations) };
}

/** A parameter or result: its name and AssemblyScript type (`usize`, `i32`, `f32`, ...). */
interface Typed {
  name: string;
  type: string;
}

/** One export as asc declares it: `memory`, or a function with its source and signature. */
interface Declaration {
  name: string;
  source?: string;
  parameters?: Typed[];
  returns?: string;
}

/** What AssemblyScript's types are in JavaScript, as asc declares them (filled by parsing). */
const JS_TYPES: Record<string, string> = {};

/**
 * The exports asc declares in `namespace __AdaptedExports` of a build's `.d.ts`: each function's
 * doc comment names its source (`assembly/<file>/<name>`) and its parameters' and result's
 * AssemblyScript types, which the signature after it gives in JavaScript types.
 */
function parseDeclarations(text: string, target: string): Declaration[] {
  const body = text.match(/declare namespace __AdaptedExports \{\n([\s\S]*?)\n\}/)?.[1];
  if (body === undefined) throw new Error(`no __AdaptedExports in the declarations of ${target}`);
  const declarations: Declaration[] = [];
  let doc: string[] = [];
  for (const line of body.split("\n").map((line) => line.trim())) {
    if (line.startsWith("/**") || line.startsWith("*")) {
      doc.push(line);
      continue;
    }
    const func = line.match(/^export function (\w+)\((.*)\): (\w+);$/);
    if (line === "export const memory: WebAssembly.Memory;") declarations.push({ name: "memory" });
    else if (func) declarations.push(functionDeclaration(func[1], func[2], func[3], doc, target));
    else throw new Error(`unexpected line in the declarations of ${target}: ${line}`);
    doc = [];
  }
  return declarations;
}

/** A function's declaration from its signature and the doc comment asc wrote before it. */
function functionDeclaration(
  name: string,
  signature: string,
  jsReturns: string,
  doc: string[],
  target: string,
): Declaration {
  const fail = (why: string) => new Error(`${target}: ${name}: ${why}`);
  const source = doc.map((line) => line.match(/^\* (assembly\/[\w/]+)\/(\w+)$/))
    .find((match) => match?.[2] === name)?.[1];
  if (!source) throw fail("no source in its doc comment");
  const docTypes = new Map<string, string>();
  for (const line of doc) {
    const param = line.match(/^\* @param (\w+) `(\w+)`$/);
    if (param) docTypes.set(param[1], param[2]);
  }
  const typeOf = (jsType: string, type: string | undefined) => {
    if (!type) throw fail("a parameter without its AssemblyScript type");
    if ((JS_TYPES[type] ??= jsType) !== jsType) {
      throw fail(`${type} is both ${JS_TYPES[type]} and ${jsType}`);
    }
    return type;
  };
  const parameters = (signature === "" ? [] : signature.split(", ")).map((parameter) => {
    const [name, jsType] = parameter.split(": ");
    return { name, type: typeOf(jsType, docTypes.get(name)) };
  });
  const docReturns = doc.map((line) => line.match(/^\* @returns `(\w+)`$/)?.[1]).find(Boolean);
  const returns = jsReturns === "void" ? "void" : typeOf(jsReturns, docReturns);
  return { name, source: `${source}.ts`, parameters, returns };
}

/** The generated module: the AssemblyScript types, `KernelExports` and its function names. */
function interfaceSource(declarations: Declaration[]): string {
  const lines = [
    "// Generated by `deno task build` (tools/build_wasm.ts) from the declarations AssemblyScript",
    "// emits for assembly/index.ts: do not edit. `deno task build:check` fails when this file differs",
    "// from what the compiler emits.",
    "",
  ];
  for (const [type, jsType] of Object.entries(JS_TYPES).sort()) {
    lines.push(`/** AssemblyScript's \`${type}\` as JavaScript passes it. */`);
    lines.push(`export type ${type} = ${jsType};`);
  }
  lines.push(
    "",
    "/**",
    " * The exports of build/liteq_simd.wasm and build/liteq_relaxed.wasm (the same in both), each",
    " * function under the file of assembly/ that defines it. Pointers are byte offsets into `memory`.",
    " */",
    "export interface KernelExports {",
  );
  for (const { name, source, parameters, returns } of declarations) {
    if (!parameters) {
      lines.push("  /** The kernels' memory. */", `  ${name}: WebAssembly.Memory;`);
      continue;
    }
    lines.push(`  /** ${source} */`);
    const typed = parameters.map((parameter) => `${parameter.name}: ${parameter.type}`);
    const single = `  ${name}(${typed.join(", ")}): ${returns};`;
    if (single.length <= LINE_WIDTH) lines.push(single);
    else {lines.push(
        `  ${name}(`,
        ...typed.map((parameter) => `    ${parameter},`),
        `  ): ${returns};`,
      );}
  }
  lines.push(
    "}",
    "",
    "/** The names of the functions of `KernelExports`, checked at instantiation. */",
    'export const KERNEL_FUNCTIONS: readonly Exclude<keyof KernelExports, "memory">[] = [',
    ...declarations.filter((d) => d.parameters).map((d) => `  "${d.name}",`),
    "];",
    "",
  );
  return lines.join("\n");
}

/** Fails unless `wasm` exports exactly the memory and functions `declarations` name. */
function checkModuleExports(
  wasm: Uint8Array<ArrayBuffer>,
  declarations: Declaration[],
  target: string,
): void {
  const exported = WebAssembly.Module.exports(new WebAssembly.Module(wasm))
    .map(({ name, kind }) => `${name}:${kind}`).sort();
  const declared = declarations
    .map(({ name, parameters }) => `${name}:${parameters ? "function" : "memory"}`).sort();
  if (exported.join() !== declared.join()) {
    throw new Error(`${target} exports ${exported} but its declarations say ${declared}`);
  }
}

/** Whether `path` under the root holds exactly `bytes`. */
async function matches(path: string, bytes: Uint8Array): Promise<boolean> {
  const committed = await Deno.readFile(new URL(path, root)).catch(() => new Uint8Array(0));
  return committed.length === bytes.length && committed.every((byte, i) => byte === bytes[i]);
}

/** Writes `bytes` to `path`, or with `--check` reports whether the committed file differs. */
async function emit(path: string, bytes: Uint8Array): Promise<boolean> {
  if (check) {
    if (await matches(path, bytes)) return true;
    console.error(`${path} differs from a fresh build: run \`deno task build\` and commit it`);
    return false;
  }
  await Deno.writeFile(new URL(path, root), bytes);
  console.log(`wrote ${path} (${bytes.length} bytes)`);
  return true;
}

let fresh = true;
let generated: string | undefined;
if (!check) await Deno.mkdir(new URL("build/", root), { recursive: true });
for (const [target, features] of Object.entries(TARGETS)) {
  const { wasm, declarations } = await compile(target, features);
  const parsed = parseDeclarations(declarations, target);
  checkModuleExports(wasm, parsed, target);
  const source = interfaceSource(parsed);
  if (generated !== undefined && source !== generated) {
    throw new Error(`${target} declares other exports than ${Object.keys(TARGETS)[0]}`);
  }
  generated = source;
  fresh = await emit(target, wasm) && fresh;
}
fresh = await emit(INTERFACE, new TextEncoder().encode(generated)) && fresh;
if (!fresh) Deno.exit(1);
