import type { Database, Engine } from '../lib/db/database.js';

/**
 * The database users the functions sign in as, besides the master user that runs the migrations: the
 * read-only functions as the reader (SELECT only), the others as the writer (rows only, no DDL). Each has
 * its own secret (serverless.yml), whose username is this name.
 */
export const DATABASE_USERS = { reader: 'albums_reader', writer: 'albums_writer' } as const;

export type DatabaseUserKind = keyof typeof DATABASE_USERS;

/** The passwords the users sign in with, from their secrets. */
export type DatabaseUserPasswords = Readonly<Record<DatabaseUserKind, string>>;

/** Thrown for a database name or password that cannot be written into the users' statements. */
export class DatabaseUserError extends Error {
  override readonly name = 'DatabaseUserError';
}

/**
 * The statements that create both users, or bring existing ones up to date, and grant them their tables;
 * each is safe to run again, and running them again with the same passwords changes nothing. Without
 * passwords (PostgreSQL only) the users are created without one: the local Data API endpoint switches to
 * them with SET ROLE rather than signing in.
 *
 * @example
 * for (const statement of databaseUserStatements('postgresql', 'albums', passwords)) await db.execute(statement);
 */
export function databaseUserStatements(
  engine: Engine,
  database: string,
  passwords?: DatabaseUserPasswords,
): string[] {
  if (engine === 'mysql') {
    if (!passwords) throw new DatabaseUserError('MySQL users need passwords');
    return mysqlStatements(database, passwords);
  }
  return postgresqlStatements(passwords);
}

/**
 * Runs {@link databaseUserStatements} on the database, as its master user; run after the migrations, so
 * that the tables they created are granted.
 *
 * @example
 * await applyMigrations(db, migrations);
 * await applyDatabaseUsers(db, 'albums', await readDatabaseUserPasswords(secrets, secretArns));
 */
export async function applyDatabaseUsers(
  db: Database,
  database: string,
  passwords?: DatabaseUserPasswords,
): Promise<void> {
  for (const statement of databaseUserStatements(db.engine, database, passwords)) await db.execute(statement);
}

const TABLE_PRIVILEGES: Record<DatabaseUserKind, string> = {
  reader: 'SELECT',
  writer: 'SELECT, INSERT, UPDATE, DELETE',
};

// Schema-wide grants cover the tables there are; default privileges, those the master user creates later.
// Roles belong to the whole server, grants to this database: the users are shared by the databases on it.
function postgresqlStatements(passwords: DatabaseUserPasswords | undefined): string[] {
  const { reader, writer } = DATABASE_USERS;
  const statements = (kind: DatabaseUserKind) => {
    const user = DATABASE_USERS[kind];
    const password = passwords?.[kind];
    return [
      // PostgreSQL has no CREATE ROLE IF NOT EXISTS.
      `DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN CREATE ROLE ${user} LOGIN; END IF;
      END $$`,
      ...(password === undefined ? [] : [`ALTER ROLE ${user} WITH LOGIN PASSWORD ${literal(password)}`]),
      `GRANT USAGE ON SCHEMA public TO ${user}`,
      `GRANT ${TABLE_PRIVILEGES[kind]} ON ALL TABLES IN SCHEMA public TO ${user}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ${TABLE_PRIVILEGES[kind]} ON TABLES TO ${user}`,
    ];
  };
  return [
    ...statements('reader'),
    ...statements('writer'),
    `GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${writer}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO ${writer}`,
    // Which migrations ran is the migrate command's record alone.
    `REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM ${writer}`,
    `REVOKE ALL ON schema_migrations FROM ${reader}`,
  ];
}

// A grant on the database's `*` covers its future tables too. MySQL cannot take one table back out of such
// a grant, so there the writer could write schema_migrations.
function mysqlStatements(database: string, passwords: DatabaseUserPasswords): string[] {
  if (!/^[A-Za-z0-9_]+$/.test(database)) {
    throw new DatabaseUserError(`Database name ${database} is not a plain identifier`);
  }
  return (['reader', 'writer'] as const).flatMap((kind) => {
    const account = `'${DATABASE_USERS[kind]}'@'%'`;
    const password = literal(passwords[kind], { backslashEscapes: true });
    return [
      `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY ${password}`,
      `ALTER USER ${account} IDENTIFIED BY ${password}`,
      `GRANT ${TABLE_PRIVILEGES[kind]} ON \`${database}\`.* TO ${account}`,
    ];
  });
}

/**
 * A password as an SQL string literal. DDL takes no bound parameters, so it is written into the text;
 * the `:` the Data API would read as a parameter is refused (the template's passwords have none).
 */
function literal(password: string, options: { backslashEscapes?: boolean } = {}): string {
  if (password === '' || password.includes(':')) {
    throw new DatabaseUserError('A database password must be non-empty and have no ":"');
  }
  const escaped = options.backslashEscapes ? password.replaceAll('\\', '\\\\') : password;
  return `'${escaped.replaceAll("'", "''")}'`;
}
