/** Reading IDX files (the MNIST format), gzip-compressed or not. */

/** An IDX array of unsigned bytes: its dimensions and values. */
export interface IdxBytes {
  shape: number[];
  data: Uint8Array;
}

/** IDX's format problems, naming what is wrong. */
export class IdxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IdxFormatError";
  }
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes.slice()]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Parses an unsigned-byte IDX file (magic 0x00 0x00 0x08 rank, big-endian dimensions). */
export async function parseIdx(bytes: Uint8Array): Promise<IdxBytes> {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzip(bytes) : bytes;
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) throw new IdxFormatError("not an IDX file");
  if (raw[2] !== 0x08) {
    throw new IdxFormatError(`element type 0x${raw[2].toString(16)} is not unsigned bytes`);
  }
  const rank = raw[3];
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (raw.length < 4 + 4 * rank) throw new IdxFormatError("the header is truncated");
  const shape = Array.from({ length: rank }, (_, axis) => view.getUint32(4 + 4 * axis));
  const count = shape.reduce((product, size) => product * size, 1);
  const start = 4 + 4 * rank;
  if (raw.length - start !== count) {
    throw new IdxFormatError(
      `holds ${raw.length - start} values; its shape [${shape}] needs ${count}`,
    );
  }
  return { shape, data: raw.subarray(start) };
}
