import assert from "node:assert/strict";
import { freshMemory } from "./kernel_harness.ts";
import type { KernelMemory } from "../../src/runtime/memory.ts";

/** The scalar reference: IEEE 754 binary16 decoded by its definition. */
function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let memory: KernelMemory;

/** `halves` widened by the kernel. */
function widenFloat16(halves: Uint16Array): Float32Array {
  const source = memory.allocate(halves.byteLength);
  const destination = memory.allocate(halves.length * 4);
  new Uint16Array(memory.kernels.memory.buffer, source, halves.length).set(halves);
  memory.kernels.f16_to_f32_x8(source, destination, halves.length);
  return memory.f32(destination, halves.length).slice();
}

/** Widens `halves` on the kernel and checks every value against the reference, bit for bit. */
function assertWidened(halves: Uint16Array): void {
  const widened = widenFloat16(halves);
  assert.equal(widened.length, halves.length);
  const bits = new Uint32Array(widened.buffer);
  halves.forEach((half, index) => {
    const expected = halfToFloat(half);
    if (Number.isNaN(expected)) {
      assert.ok(Number.isNaN(widened[index]), `0x${half.toString(16)} is NaN`);
      // The payload is kept: quiet bit and mantissa move up by 13 bits.
      assert.equal(
        bits[index] & 0x7fffff,
        (half & 0x3ff) << 13,
        `NaN payload of 0x${half.toString(16)}`,
      );
    } else {
      assert.ok(
        Object.is(widened[index], expected),
        `0x${half.toString(16)}: ${widened[index]} != ${expected}`,
      );
    }
  });
}

Deno.test("f16_to_f32_x8 widens every one of the 65,536 halves exactly", async () => {
  memory = await freshMemory();
  assertWidened(Uint16Array.from({ length: 65536 }, (_, index) => index));
});

Deno.test("f16_to_f32_x8 handles odd lengths, the scalar tail and edge values", async () => {
  memory = await freshMemory();
  const edges = [
    0x0000,
    0x8000,
    0x0001,
    0x8001,
    0x03ff,
    0x0400,
    0x3c00,
    0xbc00,
    0x7bff,
    0xfbff,
    0x7c00,
    0xfc00,
    0x7e00,
    0x7c01,
    0xfe01,
    0x3555,
  ];
  for (const length of [0, 1, 3, 7, 8, 9, 15, 17, 33]) {
    assertWidened(Uint16Array.from({ length }, (_, index) => edges[(index * 7) % edges.length]));
  }
});
