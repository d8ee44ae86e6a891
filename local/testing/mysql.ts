import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';

/** The MySQL or MariaDB server MySQL runs use: `MYSQL_URL`, else the usual local one. */
export const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Whether a MySQL server answers at {@link mysqlUrl}, within two seconds. */
export async function mysqlReachable(): Promise<boolean> {
  const connection = await mysql
    .createConnection({ uri: mysqlUrl, connectTimeout: 2_000 })
    .catch(() => undefined);
  await connection?.end();
  return connection !== undefined;
}

export interface ScratchDatabase {
  /** The server's URL with the new database in place of the one it named. */
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates an empty database, `albums_test_<random>`, on the server at `serverUrl` (a `mysql://` or
 * `mariadb://` URL), so runs never share tables; drop it when done.
 */
export async function createScratchDatabase(serverUrl = mysqlUrl): Promise<ScratchDatabase> {
  const name = `albums_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const url = new URL(serverUrl);
  url.protocol = 'mysql:';
  const serverUri = url.href;
  const run = async (sql: string) => {
    const connection = await mysql.createConnection({ uri: serverUri });
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => run(`DROP DATABASE IF EXISTS ${name}`) };
}
