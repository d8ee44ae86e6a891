import type { ColumnMetadata } from '@aws-sdk/client-rds-data';
import type { Bindable, QueryResult } from './backends.js';
import { mysqlColumnMetadata, mysqlLiteral, mysqlToField } from './mysql-values.js';
import { type NamedParameterUse, type SqlSyntax, scanSql } from './sql-text.js';
import {
  badRequest,
  bindParameter,
  columnMetadata,
  type ResultColumn,
  type ResultOptions,
  toField,
  type WireField,
  type WireParameter,
} from './values.js';

/** A Data API statement as the database is sent it. */
export interface PreparedStatement {
  text: string;
  values: Bindable[];
  isModification: boolean;
}

/**
 * What differs between the Data API for Aurora PostgreSQL and for Aurora MySQL: how a statement is read
 * and its parameters bound, how values come back as fields, and how errors read.
 */
export interface Dialect {
  name: 'PostgreSQL' | 'MySQL';
  /** Replaces the `:name` parameters, as the service does for both engines. */
  prepare(sql: string | undefined, parameters: WireParameter[]): PreparedStatement;
  toField(value: string | Uint8Array | null, column: ResultColumn, options: ResultOptions): WireField;
  columnMetadata(columns: ResultColumn[]): ColumnMetadata[];
  /** A modification's `generatedFields`. */
  generatedFields(result: QueryResult): WireField[];
  /** The BadRequestException message for a database error; undefined for anything else. */
  errorMessage(error: unknown): string | undefined;
}

/** PostgreSQL: `$n` placeholders, each cast to its value's type; no generated fields (RETURNING does that). */
export const postgresql: Dialect = {
  name: 'PostgreSQL',
  prepare(sql, parameters) {
    const positions = new Map<string, number>();
    const values: Bindable[] = [];
    const statement = replaceParameters(sql, parameters, 'postgresql', (parameter, use) => {
      const bound = bindParameter(parameter);
      let position = positions.get(use.name);
      if (position === undefined) {
        values.push(bound.value);
        position = values.length;
        positions.set(use.name, position);
      }
      return `$${position}${bound.cast ? `::${bound.cast}` : ''}`;
    });
    return { ...statement, values };
  },
  toField: (value, column, options) =>
    toField(
      value === null || typeof value === 'string' ? value : Buffer.from(value).toString(),
      column.typeId,
      options,
    ),
  columnMetadata,
  generatedFields: () => [],
  errorMessage(error) {
    const database = error as { message?: string; code?: string; severity?: string };
    if (!database.code && !database.severity) return undefined;
    return `ERROR: ${database.message}${database.code ? `; SQLState: ${database.code}` : ''}`;
  },
};

/**
 * MySQL: each parameter becomes a typed literal in the statement's text; an INSERT that generated an
 * AUTO_INCREMENT value reports it in `generatedFields`, as Aurora MySQL does.
 */
export const mysql: Dialect = {
  name: 'MySQL',
  prepare: (sql, parameters) => ({
    ...replaceParameters(sql, parameters, 'mysql', mysqlLiteral),
    values: [],
  }),
  toField: mysqlToField,
  columnMetadata: mysqlColumnMetadata,
  generatedFields: (result) => (result.insertId ? [{ longValue: result.insertId }] : []),
  errorMessage(error) {
    const database = error as { errno?: number; sqlMessage?: string };
    if (database.errno === undefined || database.sqlMessage === undefined) return undefined;
    return `Database error code: ${database.errno}. Message: ${database.sqlMessage}`;
  },
};

/** Rewrites each `:name` of `sql` with `render`, refusing several statements and unknown names. */
function replaceParameters(
  sql: string | undefined,
  parameters: WireParameter[],
  syntax: SqlSyntax,
  render: (parameter: WireParameter, use: NamedParameterUse) => string,
): Omit<PreparedStatement, 'values'> {
  if (!sql?.trim()) throw badRequest('sql is required');
  const scanned = scanSql(sql, syntax);
  if (scanned.hasMultipleStatements) throw badRequest("Multistatements aren't supported.");
  const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
  let text = '';
  let copiedUpTo = 0;
  for (const use of scanned.parameters) {
    const parameter = byName.get(use.name);
    if (!parameter) throw badRequest(`No value specified for parameter: ${use.name}`);
    text += `${sql.slice(copiedUpTo, use.start)}${render(parameter, use)}`;
    copiedUpTo = use.end;
  }
  text += sql.slice(copiedUpTo);
  return {
    text,
    isModification: /^\s*(insert|update|delete|merge|replace)\b/i.test(stripLeadingComments(sql)),
  };
}

function stripLeadingComments(sql: string): string {
  return sql.replace(/^(\s*(--[^\n]*\n|#[^\n]*\n|\/\*[\s\S]*?\*\/))*/, '');
}
