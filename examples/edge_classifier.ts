/**
 * An edge function: loads a classifier once, then classifies each POSTed input.
 *
 *   deno run --allow-read --allow-env --allow-net examples/edge_classifier.ts [MODEL] [PORT] \
 *     [--hostname ADDRESS]   (default 127.0.0.1: only this machine; 0.0.0.0 for every interface)
 *   curl -X POST localhost:8000 -d '{"input": [0, 0.5, ...784 numbers...]}'
 *   -> {"class": 7, "scores": [...]}
 *
 * Bad requests (a body that cannot be read or parsed, input of the wrong size or type) get a 4xx
 * answer with a JSON `error` saying what is wrong; the model is never reloaded. In a deployment the model would come from a URL: `Interpreter.load(new URL(...))`.
 */
import { Interpreter } from "../mod.ts";

const DEFAULT_MODEL = new URL("../data/seed_mnist.float.tflite", import.meta.url);

/** JSON response helper. */
function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** A request handler classifying `{"input": number[]}` bodies with the model at `source`. */
export async function createHandler(
  source: string | URL = DEFAULT_MODEL,
): Promise<(request: Request) => Promise<Response>> {
  const interpreter = await Interpreter.load(source);
  const [input] = interpreter.inputDetails();
  const size = input.shape.reduce((product, dimension) => product * dimension, 1);
  return async (request) => {
    if (request.method !== "POST") {
      return reply(405, { error: 'POST a JSON body {"input": [...]}' });
    }
    let text: string;
    try {
      text = await request.text();
    } catch {
      // The client sent less than its Content-Length, or broke the connection.
      return reply(400, { error: "the body cannot be read" });
    }
    if (text.trim() === "") return reply(400, { error: "the body is empty" });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return reply(400, { error: "the body is not JSON" });
    }
    const values = (body as { input?: unknown })?.input;
    if (!Array.isArray(values)) return reply(400, { error: '"input" must be an array of numbers' });
    if (values.length !== size) {
      return reply(422, { error: `"input" has ${values.length} values; the model takes ${size}` });
    }
    if (!values.every((value) => typeof value === "number" && Number.isFinite(value))) {
      return reply(422, { error: '"input" must hold finite numbers only' });
    }
    const [scores] = interpreter.run([Float32Array.from(values)]);
    const list = Array.from(scores as Float32Array);
    return reply(200, { class: list.indexOf(Math.max(...list)), scores: list });
  };
}

/** Where to listen, from `[MODEL] [PORT] [--hostname ADDRESS]`. */
export function serveOptions(args: string[]): { model?: string; port: number; hostname: string } {
  const flag = args.indexOf("--hostname");
  const hostname = flag >= 0 ? args[flag + 1] : "127.0.0.1";
  if (hostname === undefined) throw new Error("--hostname needs an address");
  const rest = flag < 0 ? args : [...args.slice(0, flag), ...args.slice(flag + 2)];
  const [model, port] = rest;
  return { model, port: Number(port ?? 8000), hostname };
}

if (import.meta.main) {
  const { model, port, hostname } = serveOptions(Deno.args);
  const handler = await createHandler(model ?? DEFAULT_MODEL);
  Deno.serve({ port, hostname }, handler);
}
