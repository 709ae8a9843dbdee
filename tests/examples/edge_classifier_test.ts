/** The edge-function example served on loopback: valid inputs classified, bad ones refused. */
import assert from "node:assert/strict";
import { createHandler, serveOptions } from "../../examples/edge_classifier.ts";
import { parseIdx } from "../../src/io/idx.ts";
import { readBytesSync, ROOT } from "../helpers.ts";

Deno.test("the edge classifier answers valid posts and refuses malformed ones with 4xx", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    await createHandler(),
  );
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const post = async (body: string) => {
    const response = await fetch(url, { method: "POST", body });
    return { status: response.status, json: await response.json() };
  };
  try {
    const images = await parseIdx(readBytesSync(`${ROOT}data/mnist/t10k-images-idx3-ubyte.gz`));
    const labels = await parseIdx(readBytesSync(`${ROOT}data/mnist/t10k-labels-idx1-ubyte.gz`));
    let correct = 0;
    for (let index = 0; index < 20; index++) {
      const input = Array.from(
        images.data.subarray(index * 784, (index + 1) * 784),
        (value) => value / 255,
      );
      const { status, json } = await post(JSON.stringify({ input }));
      assert.equal(status, 200);
      assert.equal(json.scores.length, 10);
      if (json.class === labels.data[index]) correct++;
    }
    assert.ok(correct >= 17, `${correct} of 20 classified correctly`);
    assert.deepEqual(await post(""), { status: 400, json: { error: "the body is empty" } });
    assert.equal((await post("{not json")).status, 400);
    assert.equal((await post(JSON.stringify({ input: "pixels" }))).status, 400);
    const short = await post(JSON.stringify({ input: [1, 2, 3] }));
    assert.equal(short.status, 422);
    assert.match(short.json.error, /3 values; the model takes 784/);
    const words = await post(JSON.stringify({ input: Array(784).fill("x") }));
    assert.equal(words.status, 422);
    const get = await fetch(url);
    assert.equal(get.status, 405);
    await get.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

Deno.test("a body shorter than its Content-Length is answered 400, not 500", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    await createHandler(),
  );
  try {
    const connection = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    const request = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
      'Content-Length: 1000\r\n\r\n{"input": [1, 2';
    await connection.write(new TextEncoder().encode(request));
    await connection.closeWrite();
    let answer = "";
    const buffer = new Uint8Array(4096);
    for (let read; (read = await connection.read(buffer)) !== null;) {
      answer += new TextDecoder().decode(buffer.subarray(0, read));
    }
    connection.close();
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /"error":"the body cannot be read"/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("the example listens on 127.0.0.1 unless --hostname says otherwise", () => {
  assert.deepEqual(serveOptions([]), { model: undefined, port: 8000, hostname: "127.0.0.1" });
  assert.deepEqual(serveOptions(["m.tflite", "9000", "--hostname", "0.0.0.0"]), {
    model: "m.tflite",
    port: 9000,
    hostname: "0.0.0.0",
  });
  assert.deepEqual(serveOptions(["--hostname", "::1", "m.tflite"]), {
    model: "m.tflite",
    port: 8000,
    hostname: "::1",
  });
});
