/**
 * `npm run migrate`: applies db/migrations through the Data API to the cluster named by DB_CLUSTER_ARN,
 * DB_SECRET_ARN and DB_NAME (a deployed stage's outputs), with the caller's AWS credentials; DB_ENGINE=mysql
 * applies their MySQL forms (db/migrations/mysql) to an Aurora MySQL cluster. DATA_API_ENDPOINT points it
 * at another endpoint, such as the local one.
 */
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { createDatabase, type Engine } from '../lib/db/database.js';
import { applyMigrations, migrationsFolder, readMigrations } from '../lib/db/migrations.js';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required (see the stack outputs: DatabaseClusterArn, DatabaseSecretArn)`);
    process.exit(2);
  }
  return value;
};

const engine = (process.env.DB_ENGINE || 'postgresql') as Engine;
if (engine !== 'postgresql' && engine !== 'mysql') {
  console.error(`DB_ENGINE must be postgresql or mysql, not ${engine}`);
  process.exit(2);
}

const client = new RDSDataClient({ endpoint: process.env.DATA_API_ENDPOINT || undefined });
const db = createDatabase({
  client,
  clusterArn: required('DB_CLUSTER_ARN'),
  secretArn: required('DB_SECRET_ARN'),
  name: process.env.DB_NAME ?? 'albums',
  engine,
});
const applied = await applyMigrations(
  db,
  await readMigrations(migrationsFolder(new URL('./migrations', import.meta.url).pathname, engine)),
);
console.log(applied.length ? `Applied migrations ${applied.join(', ')}` : 'Database schema is up to date');
client.destroy();
