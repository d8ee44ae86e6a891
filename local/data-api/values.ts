import type { ColumnMetadata, Field, SqlParameter } from '@aws-sdk/client-rds-data';

/** A Data API error: `type` is the exception name the SDK maps to its class. */
export class DataApiError extends Error {
  constructor(
    readonly type:
      | 'BadRequestException'
      | 'TransactionNotFoundException'
      | 'ForbiddenException'
      | 'NotFoundException'
      | 'InternalServerErrorException',
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new DataApiError('BadRequestException', 400, message);

/** The wire form of a Field: blobs are base64 text in JSON. */
export type WireField = Omit<Field, 'blobValue' | 'arrayValue' | '$unknown'> & {
  blobValue?: string;
  arrayValue?: {
    stringValues?: string[];
    longValues?: number[];
    doubleValues?: number[];
    booleanValues?: boolean[];
  };
};

export type WireParameter = Omit<SqlParameter, 'value'> & { value?: WireField };

/** A parameter ready for the database: the value to bind and the cast that gives it its Data API type. */
export interface BoundParameter {
  value: string | Uint8Array | null;
  cast: string | undefined;
}

const TYPE_HINT_CASTS: Record<string, string> = {
  UUID: 'uuid',
  TIMESTAMP: 'timestamp',
  DATE: 'date',
  TIME: 'time',
  DECIMAL: 'numeric',
  JSON: 'json',
};

/**
 * Binds a Data API parameter as the service does: each value kind arrives typed (a stringValue is a
 * varchar, so a UUID or JSON column needs its typeHint, exactly as on Aurora).
 */
export function bindParameter(parameter: WireParameter): BoundParameter {
  const { value = {}, typeHint, name } = parameter;
  const hinted = typeHint ? TYPE_HINT_CASTS[typeHint] : undefined;
  if (typeHint && !hinted) throw badRequest(`Invalid typeHint ${typeHint} for parameter ${name}`);
  if (value.isNull) return { value: null, cast: hinted };
  if (value.stringValue !== undefined) return { value: value.stringValue, cast: hinted ?? 'varchar' };
  if (hinted) throw badRequest(`typeHint ${typeHint} needs a stringValue for parameter ${name}`);
  if (value.longValue !== undefined) return { value: String(value.longValue), cast: 'int8' };
  if (value.doubleValue !== undefined) return { value: String(value.doubleValue), cast: 'float8' };
  if (value.booleanValue !== undefined) return { value: String(value.booleanValue), cast: 'bool' };
  if (value.blobValue !== undefined) return { value: Buffer.from(value.blobValue, 'base64'), cast: 'bytea' };
  if (value.arrayValue !== undefined) throw badRequest('Array parameters are not supported');
  throw badRequest(`Parameter ${name} has no value`);
}

/** PostgreSQL type names by OID, for the types a result can carry. */
const TYPE_NAMES: Record<number, string> = {
  16: 'bool',
  17: 'bytea',
  18: 'char',
  19: 'name',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  26: 'oid',
  114: 'json',
  142: 'xml',
  700: 'float4',
  701: 'float8',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  1266: 'timetz',
  1700: 'numeric',
  2950: 'uuid',
  3802: 'jsonb',
  1000: '_bool',
  1005: '_int2',
  1007: '_int4',
  1016: '_int8',
  1021: '_float4',
  1022: '_float8',
  1009: '_text',
  1015: '_varchar',
  2951: '_uuid',
  1231: '_numeric',
};

/** JDBC type codes, which is what the Data API reports as a column's `type`. */
const JDBC_TYPES: Record<string, number> = {
  bool: -7,
  bytea: -2,
  int8: -5,
  int2: 5,
  int4: 4,
  oid: -5,
  float4: 7,
  float8: 8,
  numeric: 2,
  date: 91,
  time: 92,
  timetz: 92,
  timestamp: 93,
  timestamptz: 93,
  text: 12,
  varchar: 12,
  bpchar: 1,
  char: 1,
  name: 12,
};

export interface ResultColumn {
  name: string;
  /** PostgreSQL: the type's OID. MySQL: the protocol's column type code. */
  typeId: number;
  /** MySQL: the display length (TINYINT(1) and BIT(1) are booleans). */
  length?: number;
  /** MySQL: the protocol's column flags (UNSIGNED, AUTO_INCREMENT, …). */
  flags?: number;
  /** MySQL: the column is in the binary character set, so its values are bytes, not text. */
  binary?: boolean;
}

export interface ResultOptions {
  /** DOUBLE_OR_LONG returns numeric as a number; STRING (the default) keeps its exact text. */
  decimalReturnType?: 'DOUBLE_OR_LONG' | 'STRING';
  /** STRING returns 64-bit integers as text, for values beyond JavaScript's 2^53. */
  longReturnType?: 'LONG' | 'STRING';
}

const typeName = (typeId: number) => TYPE_NAMES[typeId] ?? 'unknown';

/** The Data API's `columnMetadata` for a result's columns. */
export function columnMetadata(columns: ResultColumn[]): ColumnMetadata[] {
  return columns.map(({ name, typeId }) => {
    const type = typeName(typeId);
    return {
      name,
      label: name,
      typeName: type.startsWith('_') ? `${type.slice(1)}[]` : type,
      type: type.startsWith('_') ? 2003 : (JDBC_TYPES[type] ?? 1111),
      arrayBaseColumnType: 0,
      isAutoIncrement: false,
      isCaseSensitive: ['text', 'varchar', 'bpchar', 'char', 'name'].includes(type),
      isCurrency: false,
      isSigned: ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric'].includes(type),
      nullable: 2, // unknown, as the service reports for computed columns
      precision: 0,
      scale: 0,
      schemaName: '',
      tableName: '',
    };
  });
}

/** Converts one value from PostgreSQL's text form to a Data API field. */
export function toField(text: string | null, typeId: number, options: ResultOptions = {}): WireField {
  if (text === null) return { isNull: true };
  const type = typeName(typeId);
  switch (type) {
    case 'bool':
      return { booleanValue: text === 't' || text === 'true' };
    case 'int2':
    case 'int4':
    case 'oid':
      return { longValue: Number(text) };
    case 'int8':
      return options.longReturnType === 'STRING' ? { stringValue: text } : { longValue: Number(text) };
    case 'float4':
    case 'float8':
      return { doubleValue: Number(text) };
    case 'numeric':
      if (options.decimalReturnType === 'DOUBLE_OR_LONG') {
        return /^-?\d+$/.test(text) ? { longValue: Number(text) } : { doubleValue: Number(text) };
      }
      return { stringValue: text };
    case 'bytea':
      return { blobValue: byteaToBuffer(text).toString('base64') };
    case 'timestamptz':
      return { stringValue: text.replace(/[+-]00(:00)?$/, '') }; // the session runs in UTC
    default:
      if (type.startsWith('_')) return { arrayValue: toArrayValue(text, type.slice(1)) };
      return { stringValue: text };
  }
}

/** A field as `formatRecordsAs: JSON` gives it, where records are plain JSON objects. */
export function fieldToJson(field: WireField): unknown {
  if (field.isNull) return null;
  if (field.arrayValue) return Object.values(field.arrayValue)[0];
  return field.stringValue ?? field.longValue ?? field.doubleValue ?? field.booleanValue ?? field.blobValue;
}

function byteaToBuffer(text: string): Buffer {
  return text.startsWith('\\x') ? Buffer.from(text.slice(2), 'hex') : Buffer.from(text, 'latin1');
}

/** One-dimensional PostgreSQL array literals, e.g. `{1,2,NULL}` or `{"a b",c}`. */
function toArrayValue(text: string, elementType: string): WireField['arrayValue'] {
  const items: string[] = [];
  const body = text.slice(1, -1);
  const pattern = /"((?:[^"\\]|\\.)*)"|([^,]+)/g;
  for (let match = pattern.exec(body); match; match = pattern.exec(body)) {
    items.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] as string));
  }
  if (['int2', 'int4', 'int8'].includes(elementType)) return { longValues: items.map(Number) };
  if (['float4', 'float8'].includes(elementType)) return { doubleValues: items.map(Number) };
  if (elementType === 'bool') return { booleanValues: items.map((item) => item === 't') };
  return { stringValues: items };
}
