/**
 * A codec between flatbuffer tables and plain objects, driven by the schema layout: the model
 * reader and writer go through it, and the IR keeps its plain form for builtin options and the
 * rarer tables (sparsity, quantization details, variant sub-types). Enums become member names
 * (tensor types become dtype names), unions `{type, value}`, nested tables plain objects; an
 * absent string, vector, table or union is null, an absent scalar takes the schema's default.
 * Reading assumes the bytes passed `verifyFlatbuffer`.
 */
import { SCHEMA_LAYOUT } from "./generated/schema_layout.ts";
import type { FieldLayout, ValueLayout } from "./layout_types.ts";
import { dtypeCode, dtypeFromCode, isDType } from "./dtype.ts";
import type { FlatBufferBuilder } from "./flatbuffer_builder.ts";
import { schemaEnum } from "./schema_enums.ts";

/** The alignment `alignedBytes` gave each of its views. */
const BYTE_ALIGNMENTS = new WeakMap<Uint8Array, number>();

/**
 * A new view of `bytes` that `writePlain` writes as a byte vector whose first byte is aligned to
 * `alignment` (a power of two) instead of the schema's `force_align` (the writer's buffers:
 * aligned for their tensors' element type).
 */
export function alignedBytes(bytes: Uint8Array, alignment: number): Uint8Array {
  const view = bytes.subarray();
  BYTE_ALIGNMENTS.set(view, alignment);
  return view;
}

/**
 * A value in a plain object: numbers, 64-bit integers as bigint, names, nested objects; byte
 * vectors as `Uint8Array` views into the file (no copy).
 */
export type PlainValue =
  | number
  | bigint
  | boolean
  | string
  | null
  | Uint8Array
  | PlainValue[]
  | PlainObject;

/** A table's fields by their camelCase names. */
export interface PlainObject {
  /** A field's value; absent strings, vectors, tables and unions are null. */
  [field: string]: PlainValue;
}

type ScalarLayout = Extract<ValueLayout, { kind: "scalar" }>;
type ReferenceLayout = Exclude<ValueLayout, { kind: "scalar" } | { kind: "union" }>;

/** Whether vectors of this element are bytes, read and written as `Uint8Array`. */
function isByte(element: ValueLayout): boolean {
  return element.kind === "scalar" && !element.enum &&
    (element.base === "ubyte" || element.base === "uint8");
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Whether slot `index` of a table is the type tag of the union in the next slot. */
function isUnionTag(fields: FieldLayout[], index: number): boolean {
  const next = fields[index + 1];
  return next?.value.kind === "union" && fields[index].name === `${next.name}_type`;
}

function enumName(enumType: string, value: number): string | number {
  if (enumType === "TensorType") return dtypeFromCode(value) ?? value;
  return schemaEnum(enumType).name(value) ?? value;
}

function enumValue(enumType: string, name: PlainValue, where: string): number {
  if (typeof name === "number") return name;
  if (typeof name === "string") {
    if (enumType === "TensorType" && isDType(name)) return dtypeCode(name);
    const value = schemaEnum(enumType).value(name);
    if (value !== undefined) return value;
  }
  throw new TypeError(`${where}: ${JSON.stringify(String(name))} is not a ${enumType}`);
}

function isInt64(scalar: ScalarLayout): boolean {
  return scalar.size === 8 && scalar.base !== "double" && scalar.base !== "float64";
}

function isFloat(scalar: ScalarLayout): boolean {
  return ["float", "float32", "double", "float64"].includes(scalar.base);
}

/** The numeric value of a scalar field's declared default (0 when it declares none). */
function scalarDefault(field: FieldLayout, scalar: ScalarLayout): number | bigint {
  const text = field.defaultValue;
  let value = 0;
  if (text === "true") value = 1;
  else if (text !== undefined && text !== "false") {
    value = scalar.enum && !/^-?[\d.]+$/.test(text)
      ? enumValue(scalar.enum, text, field.name)
      : Number(text);
  }
  return isInt64(scalar) ? BigInt(value) : value;
}

/** Reads tables of a verified flatbuffer into plain objects. */
export class PlainReader {
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The table at `position` as a plain object. */
  table(tableName: string, position: number): PlainObject {
    const fields = SCHEMA_LAYOUT.tables[tableName];
    const vtable = position - this.view.getInt32(position, true);
    const slots = (this.view.getUint16(vtable, true) - 4) / 2;
    const fieldOffset = (slot: number) =>
      slot < slots ? this.view.getUint16(vtable + 4 + 2 * slot, true) : 0;
    const plain: PlainObject = {};
    fields.forEach((field, slot) => {
      if (field.deprecated || isUnionTag(fields, slot)) return;
      const offset = fieldOffset(slot);
      const value = field.value;
      if (value.kind === "scalar") {
        const raw = offset === 0
          ? scalarDefault(field, value)
          : this.scalar(value, position + offset);
        plain[field.camelName] = this.named(value, raw);
      } else if (offset === 0) {
        plain[field.camelName] = null;
      } else if (value.kind === "union") {
        const tagOffset = fieldOffset(slot - 1);
        const tag = tagOffset === 0 ? 0 : this.view.getUint8(position + tagOffset);
        const member = SCHEMA_LAYOUT.unions[value.union][tag - 1];
        plain[field.camelName] = tag === 0
          ? null
          : { type: member, value: this.table(member, this.follow(position + offset)) };
      } else {
        plain[field.camelName] = this.reference(value, position + offset);
      }
    });
    return plain;
  }

  private follow(position: number): number {
    return position + this.view.getUint32(position, true);
  }

  private named(scalar: ScalarLayout, raw: number | bigint): PlainValue {
    if (scalar.enum) return enumName(scalar.enum, Number(raw));
    if (scalar.base === "bool") return raw !== 0;
    return raw;
  }

  private scalar(scalar: ScalarLayout, position: number): number | bigint {
    const view = this.view;
    switch (scalar.base) {
      case "bool":
      case "ubyte":
      case "uint8":
        return view.getUint8(position);
      case "byte":
      case "int8":
        return view.getInt8(position);
      case "short":
      case "int16":
        return view.getInt16(position, true);
      case "ushort":
      case "uint16":
        return view.getUint16(position, true);
      case "int":
      case "int32":
        return view.getInt32(position, true);
      case "uint":
      case "uint32":
        return view.getUint32(position, true);
      case "float":
      case "float32":
        return view.getFloat32(position, true);
      case "long":
      case "int64":
        return view.getBigInt64(position, true);
      case "ulong":
      case "uint64":
        return view.getBigUint64(position, true);
      default:
        return view.getFloat64(position, true);
    }
  }

  /** The string, vector or table that the offset at `position` points to. */
  private reference(value: ReferenceLayout, position: number): PlainValue {
    const target = this.follow(position);
    if (value.kind === "table") return this.table(value.table, target);
    const length = this.view.getUint32(target, true);
    if (value.kind === "string") {
      return decoder.decode(this.bytes.subarray(target + 4, target + 4 + length));
    }
    const element = value.element;
    if (isByte(element)) return this.bytes.subarray(target + 4, target + 4 + length);
    const size = element.kind === "scalar" ? element.size : 4;
    const items: PlainValue[] = new Array(length);
    for (let index = 0; index < length; index++) {
      const at = target + 4 + size * index;
      items[index] = element.kind === "scalar"
        ? this.named(element, this.scalar(element, at))
        : this.reference(element, at);
    }
    return items;
  }
}

/**
 * Writes plain object `plain` as a table `tableName` and returns its offset. Fields it does not
 * name are left out (scalars then read back as their defaults). Throws `TypeError` naming
 * `where` for fields the table does not have or values of the wrong kind.
 */
export function writePlain(
  builder: FlatBufferBuilder,
  tableName: string,
  plain: PlainObject,
  where: string,
): number {
  const fields = SCHEMA_LAYOUT.tables[tableName];
  if (!fields) throw new TypeError(`${where}: ${tableName} is not a table of the schema`);
  const known = new Set<string>();
  const offsets: number[] = new Array(fields.length).fill(0);
  const tags: number[] = new Array(fields.length).fill(0);
  // Children first: a flatbuffer table can only point at objects built before it.
  fields.forEach((field, slot) => {
    if (field.deprecated || isUnionTag(fields, slot)) return;
    known.add(field.camelName);
    const value = plain[field.camelName];
    if (value === undefined || value === null || field.value.kind === "scalar") return;
    const fieldWhere = `${where}.${field.camelName}`;
    if (field.value.kind === "union") {
      const { type, value: member } = value as { type: string; value: PlainObject };
      const tag = SCHEMA_LAYOUT.unions[field.value.union].indexOf(type) + 1;
      if (tag === 0) throw new TypeError(`${fieldWhere}: ${type} is not a ${field.value.union}`);
      tags[slot - 1] = tag;
      offsets[slot] = writePlain(builder, type, member, fieldWhere);
    } else {
      offsets[slot] = writeReference(builder, field.value, value, fieldWhere);
    }
  });
  for (const key of Object.keys(plain)) {
    if (!known.has(key)) throw new TypeError(`${where}: ${tableName} has no field "${key}"`);
  }
  builder.startObject(fields.length);
  fields.forEach((field, slot) => {
    if (field.deprecated) return;
    const value = field.value;
    if (isUnionTag(fields, slot)) {
      if (tags[slot] !== 0) builder.addFieldInt8(slot, tags[slot], 0);
    } else if (value.kind === "scalar") {
      const given = plain[field.camelName];
      if (given === undefined) return;
      addScalarField(
        builder,
        slot,
        value,
        given,
        scalarDefault(field, value),
        `${where}.${field.camelName}`,
      );
    } else if (offsets[slot] !== 0) {
      builder.addFieldOffset(slot, offsets[slot], 0);
    }
  });
  return builder.endObject();
}

function scalarNumber(scalar: ScalarLayout, value: PlainValue, where: string): number | bigint {
  if (scalar.enum) return enumValue(scalar.enum, value, where);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (isInt64(scalar)) {
    if (typeof value === "bigint" || (typeof value === "number" && Number.isInteger(value))) {
      return BigInt(value);
    }
  } else if (typeof value === "number" && (isFloat(scalar) || Number.isInteger(value))) {
    return value;
  }
  throw new TypeError(`${where}: ${String(value)} is not a ${scalar.base}`);
}

function addScalarField(
  builder: FlatBufferBuilder,
  slot: number,
  scalar: ScalarLayout,
  value: PlainValue,
  defaultValue: number | bigint,
  where: string,
): void {
  const number = scalarNumber(scalar, value, where);
  if (typeof number === "bigint") {
    builder.addFieldInt64(slot, number, defaultValue as bigint);
  } else if (scalar.base === "float" || scalar.base === "float32") {
    builder.addFieldFloat32(slot, number, defaultValue as number);
  } else if (scalar.size === 8) {
    builder.addFieldFloat64(slot, number, defaultValue as number);
  } else if (scalar.size === 4) {
    builder.addFieldInt32(slot, number, defaultValue as number);
  } else if (scalar.size === 2) {
    builder.addFieldInt16(slot, number, defaultValue as number);
  } else {
    builder.addFieldInt8(slot, number, defaultValue as number);
  }
}

function addScalar(
  builder: FlatBufferBuilder,
  scalar: ScalarLayout,
  number: number | bigint,
): void {
  if (typeof number === "bigint") builder.addInt64(number);
  else if (scalar.base === "float" || scalar.base === "float32") builder.addFloat32(number);
  else if (scalar.size === 8) builder.addFloat64(number);
  else if (scalar.size === 4) builder.addInt32(number);
  else if (scalar.size === 2) builder.addInt16(number);
  else builder.addInt8(number);
}

function writeReference(
  builder: FlatBufferBuilder,
  value: ReferenceLayout,
  plain: PlainValue,
  where: string,
): number {
  if (value.kind === "string") {
    if (typeof plain !== "string") throw new TypeError(`${where}: expected a string`);
    return builder.shared(`string:${plain}`, () => builder.createString(encoder.encode(plain)));
  }
  if (value.kind === "table") {
    if (typeof plain !== "object" || Array.isArray(plain) || plain === null) {
      throw new TypeError(`${where}: expected an object`);
    }
    return writePlain(builder, value.table, plain as PlainObject, where);
  }
  const element = value.element;
  if (plain instanceof Uint8Array && isByte(element)) {
    return builder.createByteVector(plain, BYTE_ALIGNMENTS.get(plain) ?? value.align ?? 1);
  }
  if (!Array.isArray(plain)) throw new TypeError(`${where}: expected an array`);
  if (element.kind === "scalar") {
    const numbers = plain.map((item, index) => scalarNumber(element, item, `${where}[${index}]`));
    const alignment = Math.max(element.size, value.align ?? 1);
    // -0 is not 0 in a float vector's bytes.
    const key = `${element.base}/${alignment}:${numbers.map((n) => Object.is(n, -0) ? "-0" : n)}`;
    return builder.shared(key, () => {
      builder.startVector(element.size, numbers.length, alignment);
      for (let index = numbers.length - 1; index >= 0; index--) {
        addScalar(builder, element, numbers[index]);
      }
      return builder.endVector();
    });
  }
  const children = plain.map((item, index) =>
    writeReference(builder, element, item, `${where}[${index}]`)
  );
  builder.startVector(4, children.length, 4);
  for (let index = children.length - 1; index >= 0; index--) builder.addOffset(children[index]);
  return builder.endVector();
}
