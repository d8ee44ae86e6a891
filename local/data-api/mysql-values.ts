import type { ColumnMetadata } from '@aws-sdk/client-rds-data';
import mysql from 'mysql2';
import {
  badRequest,
  type ResultColumn,
  type ResultOptions,
  type WireField,
  type WireParameter,
} from './values.js';

/** MySQL's protocol column type codes (a column's `typeId`), for the types a result can carry. */
const MYSQL_TYPES = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
} as const;

const FLAGS = { UNSIGNED: 32, AUTO_INCREMENT: 512 } as const;

const INTEGERS = new Set<number>([
  MYSQL_TYPES.TINY,
  MYSQL_TYPES.SHORT,
  MYSQL_TYPES.LONG,
  MYSQL_TYPES.INT24,
  MYSQL_TYPES.LONGLONG,
]);
const DECIMALS = new Set<number>([MYSQL_TYPES.DECIMAL, MYSQL_TYPES.NEWDECIMAL]);
const NUMBERS = new Set<number>([...INTEGERS, ...DECIMALS, MYSQL_TYPES.FLOAT, MYSQL_TYPES.DOUBLE]);
const BYTES = new Set<number>([
  MYSQL_TYPES.TINY_BLOB,
  MYSQL_TYPES.MEDIUM_BLOB,
  MYSQL_TYPES.LONG_BLOB,
  MYSQL_TYPES.BLOB,
  MYSQL_TYPES.VAR_STRING,
  MYSQL_TYPES.STRING,
  MYSQL_TYPES.VARCHAR,
]);

/** The Data API reads TINYINT(1) and BIT(1) as booleans, as MySQL's JDBC driver does. */
const isBoolean = (column: ResultColumn) =>
  (column.typeId === MYSQL_TYPES.TINY || column.typeId === MYSQL_TYPES.BIT) && column.length === 1;

const isUnsigned = (column: ResultColumn) => ((column.flags ?? 0) & FLAGS.UNSIGNED) !== 0;

/** A column holding bytes: BLOB, BINARY, VARBINARY (string types in the binary character set), BIT(n). */
const isBytes = (column: ResultColumn) =>
  (BYTES.has(column.typeId) && column.binary === true) ||
  (column.typeId === MYSQL_TYPES.BIT && (column.length ?? 0) > 1);

const TYPE_HINTS = new Set(['UUID', 'TIMESTAMP', 'DATE', 'TIME', 'DECIMAL', 'JSON']);

/**
 * A Data API parameter as a MySQL literal, typed as the service binds it: longValue an integer,
 * doubleValue a DOUBLE, booleanValue TRUE/FALSE, blobValue bytes, stringValue a string whatever its
 * typeHint (MySQL converts a string to the DATE, TIME, DATETIME, DECIMAL or JSON it is compared with or
 * stored in).
 *
 * @example
 * mysqlLiteral({ name: 'n', value: { doubleValue: 0.5 } }); // '0.5e0'
 */
export function mysqlLiteral(parameter: WireParameter): string {
  const { value = {}, typeHint, name } = parameter;
  if (typeHint && !TYPE_HINTS.has(typeHint)) {
    throw badRequest(`Invalid typeHint ${typeHint} for parameter ${name}`);
  }
  if (value.isNull) return 'NULL';
  if (value.stringValue !== undefined) return mysql.escape(value.stringValue);
  if (typeHint) throw badRequest(`typeHint ${typeHint} needs a stringValue for parameter ${name}`);
  if (value.longValue !== undefined) {
    if (!Number.isInteger(value.longValue)) throw badRequest(`Parameter ${name} is not a long`);
    return BigInt(value.longValue).toString();
  }
  if (value.doubleValue !== undefined) {
    const text = String(value.doubleValue);
    return /e/i.test(text) ? text : `${text}e0`; // an exponent makes the literal a DOUBLE, not a DECIMAL
  }
  if (value.booleanValue !== undefined) return value.booleanValue ? 'TRUE' : 'FALSE';
  if (value.blobValue !== undefined) return mysql.escape(Buffer.from(value.blobValue, 'base64'));
  if (value.arrayValue !== undefined) throw badRequest('Array parameters are not supported');
  throw badRequest(`Parameter ${name} has no value`);
}

/** Converts one MySQL value (its text, or its bytes for a binary column) to a Data API field. */
export function mysqlToField(
  value: string | Uint8Array | null,
  column: ResultColumn,
  options: ResultOptions = {},
): WireField {
  if (value === null) return { isNull: true };
  if (typeof value !== 'string') {
    if (isBoolean(column)) return { booleanValue: value.some((byte) => byte !== 0) };
    return { blobValue: Buffer.from(value).toString('base64') };
  }
  if (isBoolean(column)) return { booleanValue: value !== '0' };
  if (INTEGERS.has(column.typeId)) {
    const isLong = column.typeId === MYSQL_TYPES.LONGLONG;
    return isLong && options.longReturnType === 'STRING'
      ? { stringValue: value }
      : { longValue: Number(value) };
  }
  if (column.typeId === MYSQL_TYPES.FLOAT || column.typeId === MYSQL_TYPES.DOUBLE) {
    return { doubleValue: Number(value) };
  }
  if (DECIMALS.has(column.typeId) && options.decimalReturnType === 'DOUBLE_OR_LONG') {
    return /^-?\d+$/.test(value) ? { longValue: Number(value) } : { doubleValue: Number(value) };
  }
  return { stringValue: value };
}

/** Whether a column's values arrive as bytes rather than text (see {@link mysqlToField}). */
export const mysqlReadsBytes = (column: ResultColumn): boolean => isBoolean(column) || isBytes(column);

/** JDBC type codes and names for MySQL columns, as the Data API reports them in `columnMetadata`. */
function jdbcType(column: ResultColumn): [number, string] {
  const unsigned = isUnsigned(column) ? ' UNSIGNED' : '';
  if (isBoolean(column)) return [-7, 'BIT'];
  switch (column.typeId) {
    case MYSQL_TYPES.TINY:
      return [-6, `TINYINT${unsigned}`];
    case MYSQL_TYPES.SHORT:
      return [5, `SMALLINT${unsigned}`];
    case MYSQL_TYPES.INT24:
      return [4, `MEDIUMINT${unsigned}`];
    case MYSQL_TYPES.LONG:
      return [4, `INT${unsigned}`];
    case MYSQL_TYPES.LONGLONG:
      return [-5, `BIGINT${unsigned}`];
    case MYSQL_TYPES.FLOAT:
      return [7, 'FLOAT'];
    case MYSQL_TYPES.DOUBLE:
      return [8, 'DOUBLE'];
    case MYSQL_TYPES.DECIMAL:
    case MYSQL_TYPES.NEWDECIMAL:
      return [3, 'DECIMAL'];
    case MYSQL_TYPES.DATE:
      return [91, 'DATE'];
    case MYSQL_TYPES.TIME:
      return [92, 'TIME'];
    case MYSQL_TYPES.DATETIME:
      return [93, 'DATETIME'];
    case MYSQL_TYPES.TIMESTAMP:
      return [93, 'TIMESTAMP'];
    case MYSQL_TYPES.YEAR:
      return [91, 'YEAR'];
    case MYSQL_TYPES.BIT:
      return [-7, 'BIT'];
    case MYSQL_TYPES.JSON:
      return [-1, 'JSON'];
    case MYSQL_TYPES.NULL:
      return [0, 'NULL'];
    case MYSQL_TYPES.STRING:
      return column.binary ? [-2, 'BINARY'] : [1, 'CHAR'];
    case MYSQL_TYPES.VARCHAR:
    case MYSQL_TYPES.VAR_STRING:
      return column.binary ? [-3, 'VARBINARY'] : [12, 'VARCHAR'];
    default:
      return column.binary ? [-4, 'BLOB'] : [-1, 'TEXT'];
  }
}

/** The Data API's `columnMetadata` for a MySQL result's columns. */
export function mysqlColumnMetadata(columns: ResultColumn[]): ColumnMetadata[] {
  return columns.map((column) => {
    const [type, typeName] = jdbcType(column);
    return {
      name: column.name,
      label: column.name,
      typeName,
      type,
      arrayBaseColumnType: 0,
      isAutoIncrement: ((column.flags ?? 0) & FLAGS.AUTO_INCREMENT) !== 0,
      isCaseSensitive: [1, 12, -1].includes(type),
      isCurrency: false,
      isSigned: NUMBERS.has(column.typeId) && !isUnsigned(column),
      nullable: 2,
      precision: column.length ?? 0,
      scale: 0,
      schemaName: '',
      tableName: '',
    };
  });
}
