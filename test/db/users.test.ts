import { describe, expect, it } from 'vitest';
import { DatabaseUserError, databaseUserStatements } from '../../db/users.js';

const passwords = { reader: 'Reader0pass', writer: 'Writer0pass' };

describe('the database users statements', () => {
  it('on PostgreSQL: create both roles once, set their passwords, and grant the reader SELECT only', () => {
    const statements = databaseUserStatements('postgresql', 'albums', passwords);
    expect(statements.filter((s) => s.startsWith('DO $$'))).toHaveLength(2);
    expect(statements.find((s) => s.startsWith('DO $$'))).toMatch(
      /IF NOT EXISTS \(SELECT FROM pg_roles WHERE rolname = 'albums_reader'\) THEN CREATE ROLE albums_reader LOGIN;/,
    );
    expect(statements).toEqual(
      expect.arrayContaining([
        "ALTER ROLE albums_reader WITH LOGIN PASSWORD 'Reader0pass'",
        "ALTER ROLE albums_writer WITH LOGIN PASSWORD 'Writer0pass'",
        'GRANT SELECT ON ALL TABLES IN SCHEMA public TO albums_reader',
        'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO albums_reader',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO albums_writer',
        'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO albums_writer',
        'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO albums_writer',
        'REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM albums_writer',
      ]),
    );
    const readerGrants = statements.filter((s) => / TO albums_reader$/.test(s) && s.includes('GRANT'));
    for (const grant of readerGrants) expect(grant).not.toMatch(/INSERT|UPDATE|DELETE|CREATE|ALL PRIVILEGES/);
    // Nothing that would let either user change the schema.
    expect(statements.join('\n')).not.toMatch(/GRANT (ALL|CREATE)|SUPERUSER|CREATEROLE|CREATEDB/);
  });

  it('on PostgreSQL without passwords: creates the roles and grants them, setting no password', () => {
    const statements = databaseUserStatements('postgresql', 'albums');
    expect(statements.some((s) => s.includes('PASSWORD'))).toBe(false);
    expect(statements).toContain('GRANT SELECT ON ALL TABLES IN SCHEMA public TO albums_reader');
  });

  it('on MySQL: creates each user if missing, sets its password, and grants on the database', () => {
    expect(databaseUserStatements('mysql', 'albums', passwords)).toEqual([
      "CREATE USER IF NOT EXISTS 'albums_reader'@'%' IDENTIFIED BY 'Reader0pass'",
      "ALTER USER 'albums_reader'@'%' IDENTIFIED BY 'Reader0pass'",
      "GRANT SELECT ON `albums`.* TO 'albums_reader'@'%'",
      "CREATE USER IF NOT EXISTS 'albums_writer'@'%' IDENTIFIED BY 'Writer0pass'",
      "ALTER USER 'albums_writer'@'%' IDENTIFIED BY 'Writer0pass'",
      "GRANT SELECT, INSERT, UPDATE, DELETE ON `albums`.* TO 'albums_writer'@'%'",
    ]);
  });

  it('quotes passwords as literals of each engine, and refuses what cannot be written safely', () => {
    const tricky = { reader: "it's\\", writer: 'plain' };
    expect(databaseUserStatements('postgresql', 'albums', tricky)).toContain(
      "ALTER ROLE albums_reader WITH LOGIN PASSWORD 'it''s\\'",
    );
    expect(databaseUserStatements('mysql', 'albums', tricky)).toContain(
      "ALTER USER 'albums_reader'@'%' IDENTIFIED BY 'it''s\\\\'",
    );
    // The Data API reads `:name` as a parameter.
    expect(() => databaseUserStatements('postgresql', 'albums', { ...passwords, writer: 'a:b' })).toThrow(
      DatabaseUserError,
    );
    expect(() => databaseUserStatements('postgresql', 'albums', { ...passwords, reader: '' })).toThrow(
      DatabaseUserError,
    );
    expect(() => databaseUserStatements('mysql', 'al`bums', passwords)).toThrow(DatabaseUserError);
    expect(() => databaseUserStatements('mysql', 'albums')).toThrow(DatabaseUserError);
  });
});
