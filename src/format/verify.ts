/**
 * A flatbuffer verifier driven by the schema layout: before the reader walks the file,
 * every table, vtable, field, string, vector and union reachable from the root is checked to lie
 * inside the bytes, so that a forged file can only end in a `ModelFormatError`.
 */
import { ModelFormatError } from "./errors.ts";
import type { SchemaLayout, ValueLayout } from "./layout_types.ts";

/** Limits that bound the work a forged file can cause. */
export interface VerifyLimits {
  /** Deepest nesting of tables (default 64, as FlatBuffers' own verifier). */
  maxDepth: number;
  /** Most tables visited in all (default 1,000,000, as FlatBuffers' own verifier). */
  maxTables: number;
}

const DEFAULT_LIMITS: VerifyLimits = { maxDepth: 64, maxTables: 1_000_000 };

/** Verifies `bytes` as a flatbuffer whose root is `layout.rootTable`; throws `ModelFormatError`. */
export function verifyFlatbuffer(
  bytes: Uint8Array,
  layout: SchemaLayout,
  limits: Partial<VerifyLimits> = {},
): void {
  new Verifier(bytes, layout, { ...DEFAULT_LIMITS, ...limits }).verifyRoot();
}

/** A path as a list of segments, turned into text only when an error is reported. */
type Path = readonly (string | number)[];

function pathText(path: Path): string {
  let text = "";
  for (const segment of path) text += typeof segment === "number" ? `[${segment}]` : `.${segment}`;
  return text.slice(1);
}

class Verifier {
  private readonly view: DataView;
  private readonly size: number;
  private tablesVisited = 0;

  constructor(
    bytes: Uint8Array,
    private readonly layout: SchemaLayout,
    private readonly limits: VerifyLimits,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.byteLength;
  }

  verifyRoot(): void {
    const path = [this.layout.rootTable];
    this.need(0, 8, path, "the file header");
    this.verifyTable(this.view.getUint32(0, true), this.layout.rootTable, path, 1);
  }

  private fail(path: Path, problem: string): never {
    throw new ModelFormatError(pathText(path), problem);
  }

  /** Checks that `[position, position + length)` lies inside the file. */
  private need(position: number, length: number, path: Path, what: string): void {
    if (position < 0 || length < 0 || position + length > this.size) {
      this.fail(
        path,
        `${what} at byte ${position} (${length} bytes) lies outside the ${this.size}-byte file`,
      );
    }
  }

  /** Follows the unsigned offset stored at `position` and returns its target. */
  private follow(position: number, path: Path, what: string): number {
    this.need(position, 4, path, `offset to ${what}`);
    const target = position + this.view.getUint32(position, true);
    this.need(target, 0, path, what);
    return target;
  }

  private verifyTable(table: number, tableName: string, path: Path, depth: number): void {
    if (depth > this.limits.maxDepth) {
      this.fail(path, `tables nested deeper than ${this.limits.maxDepth}`);
    }
    if (++this.tablesVisited > this.limits.maxTables) {
      this.fail(path, `more than ${this.limits.maxTables} tables`);
    }
    this.need(table, 4, path, `table ${tableName}`);
    const vtable = table - this.view.getInt32(table, true);
    this.need(vtable, 4, path, `vtable of ${tableName}`);
    const vtableSize = this.view.getUint16(vtable, true);
    const objectSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0) {
      this.fail(path, `vtable of ${tableName} has an invalid size ${vtableSize}`);
    }
    this.need(vtable, vtableSize, path, `vtable of ${tableName}`);
    if (objectSize < 4) this.fail(path, `table ${tableName} has an invalid size ${objectSize}`);
    this.need(table, objectSize, path, `table ${tableName}`);

    const fields = this.layout.tables[tableName];
    const slots = Math.min((vtableSize - 4) / 2, fields.length);
    for (let slot = 0; slot < slots; slot++) {
      const fieldOffset = this.view.getUint16(vtable + 4 + 2 * slot, true);
      if (fieldOffset === 0) continue;
      const field = fields[slot];
      const fieldPath = [...path, field.name];
      const value = field.value;
      const inlineSize = value.kind === "scalar" ? value.size : 4;
      if (fieldOffset + inlineSize > objectSize) {
        this.fail(fieldPath, `field lies outside its ${objectSize}-byte table`);
      }
      const position = table + fieldOffset;
      if (value.kind === "union") {
        const tagOffset = this.view.getUint16(vtable + 4 + 2 * (slot - 1), true);
        const tag = tagOffset === 0 ? 0 : this.view.getUint8(table + tagOffset);
        this.verifyUnion(position, tag, value.union, fieldPath, depth);
      } else if (value.kind !== "scalar") {
        this.verifyReference(position, value, fieldPath, depth);
      }
    }
  }

  private verifyUnion(position: number, tag: number, union: string, path: Path, depth: number) {
    if (tag === 0) return;
    const members = this.layout.unions[union];
    if (tag > members.length) this.fail(path, `unknown ${union} type ${tag}`);
    const member = members[tag - 1];
    this.verifyTable(this.follow(position, path, member), member, path, depth + 1);
  }

  /** Verifies the string, vector or table that the offset at `position` points to. */
  private verifyReference(
    position: number,
    value: Exclude<ValueLayout, { kind: "scalar" } | { kind: "union" }>,
    path: Path,
    depth: number,
  ): void {
    if (value.kind === "table") {
      this.verifyTable(this.follow(position, path, value.table), value.table, path, depth + 1);
      return;
    }
    const vector = this.follow(position, path, value.kind);
    this.need(vector, 4, path, `length of ${value.kind}`);
    const length = this.view.getUint32(vector, true);
    if (value.kind === "string") {
      this.need(vector + 4, length + 1, path, `string of ${length} bytes`);
      if (this.view.getUint8(vector + 4 + length) !== 0) {
        this.fail(path, "string is not zero-terminated");
      }
      return;
    }
    const element = value.element;
    const elementSize = element.kind === "scalar" ? element.size : 4;
    // Checked as a product of doubles: a forged length cannot wrap around.
    this.need(vector + 4, length * elementSize, path, `vector of ${length} elements`);
    if (element.kind === "scalar") {
      // Typed-array views of the elements need them aligned to their size.
      if ((vector + 4) % element.size !== 0) {
        this.fail(path, `vector of ${element.size}-byte elements is misaligned`);
      }
      return;
    }
    for (let index = 0; index < length; index++) {
      this.verifyReference(vector + 4 + 4 * index, element, [...path, index], depth);
    }
  }
}
