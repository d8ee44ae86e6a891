/**
 * Reading SQL text the way the database does, just enough to find named parameters and statement
 * boundaries. PostgreSQL: string literals ('…', E'…'), quoted identifiers ("…"), dollar-quoted bodies
 * ($tag$…$tag$), comments (-- and nested /* *\/) and `::` casts are skipped over. MySQL: string literals
 * in either quote ('…', "…", backslash escapes), quoted identifiers (`…`), comments (-- , # and /* *\/).
 */

export type SqlSyntax = 'postgresql' | 'mysql';

export interface NamedParameterUse {
  name: string;
  /** Offset of the `:` in the SQL text. */
  start: number;
  /** Offset just past the name. */
  end: number;
}

export interface ScannedSql {
  parameters: NamedParameterUse[];
  /** True when a `;` is followed by more SQL: the Data API runs one statement per call. */
  hasMultipleStatements: boolean;
}

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/**
 * Finds the `:name` parameters of a statement and whether it holds more than one statement.
 *
 * @example
 * scanSql("SELECT :id, ':no' # :no", 'mysql').parameters; // [{ name: 'id', start: 7, end: 10 }]
 */
export function scanSql(sql: string, syntax: SqlSyntax = 'postgresql'): ScannedSql {
  const mysql = syntax === 'mysql';
  const parameters: NamedParameterUse[] = [];
  let statementEnded = false;
  let hasMultipleStatements = false;
  let i = 0;
  while (i < sql.length) {
    const char = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    // MySQL's `--` starts a comment only when followed by whitespace; `#` always does.
    if (
      (char === '-' && next === '-' && (!mysql || /\s/.test(sql[i + 2] ?? ' '))) ||
      (mysql && char === '#')
    ) {
      i = skipLineComment(sql, i);
      continue;
    }
    if (char === '/' && next === '*') {
      i = skipBlockComment(sql, i, !mysql);
      continue;
    }
    if (statementEnded && char !== ';') hasMultipleStatements = true;
    if (char === ';') {
      statementEnded = true;
      i++;
    } else if (mysql && (char === "'" || char === '"')) {
      i = skipQuoted(sql, i, char, true);
    } else if (mysql && char === '`') {
      i = skipQuoted(sql, i, '`', false);
    } else if (char === "'") {
      i = skipQuoted(sql, i, "'", /[eE]/.test(sql[i - 1] ?? '') && !NAME_PART.test(sql[i - 2] ?? ''));
    } else if (char === '"') {
      i = skipQuoted(sql, i, '"', false);
    } else if (!mysql && char === '$' && isDollarQuoteStart(sql, i)) {
      i = skipDollarQuoted(sql, i);
    } else if (char === ':' && next === ':') {
      i += 2; // a cast, not a parameter
    } else if (char === ':' && next !== undefined && NAME_START.test(next) && sql[i - 1] !== ':') {
      let end = i + 1;
      while (end < sql.length && NAME_PART.test(sql[end] as string)) end++;
      parameters.push({ name: sql.slice(i + 1, end), start: i, end });
      i = end;
    } else {
      i++;
    }
  }
  return { parameters, hasMultipleStatements };
}

function skipLineComment(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end === -1 ? sql.length : end + 1;
}

/** PostgreSQL's block comments nest; MySQL's end at the first `*\/`. */
function skipBlockComment(sql: string, i: number, nested: boolean): number {
  let depth = 0;
  while (i < sql.length) {
    if (sql.startsWith('/*', i) && (nested || depth === 0)) {
      depth++;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return i;
}

function skipQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  i++;
  while (i < sql.length) {
    const char = sql[i];
    if (backslashEscapes && char === '\\') {
      i += 2;
    } else if (char === quote && sql[i + 1] === quote) {
      i += 2; // doubled quote inside the literal
    } else if (char === quote) {
      return i + 1;
    } else {
      i++;
    }
  }
  return i;
}

const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

function isDollarQuoteStart(sql: string, i: number): boolean {
  return !NAME_PART.test(sql[i - 1] ?? '') && DOLLAR_TAG.test(sql.slice(i, i + 64));
}

function skipDollarQuoted(sql: string, i: number): number {
  const tag = (DOLLAR_TAG.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
  const end = sql.indexOf(tag, i + tag.length);
  return end === -1 ? sql.length : end + tag.length;
}
