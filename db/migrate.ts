/**
 * `npm run migrate`: applies db/migrations through the Data API to the cluster named by DB_CLUSTER_ARN,
 * DB_SECRET_ARN and DB_NAME (a deployed stage's outputs), with the caller's AWS credentials.
 * DATA_API_ENDPOINT points it at another endpoint, such as the local one.
 */
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { createDatabase } from '../lib/db/database.js';
import { applyMigrations, readMigrations } from '../lib/db/migrations.js';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required (see the stack outputs: DatabaseClusterArn, DatabaseSecretArn)`);
    process.exit(2);
  }
  return value;
};

const client = new RDSDataClient({ endpoint: process.env.DATA_API_ENDPOINT || undefined });
const db = createDatabase({
  client,
  clusterArn: required('DB_CLUSTER_ARN'),
  secretArn: required('DB_SECRET_ARN'),
  name: process.env.DB_NAME ?? 'albums',
});
const applied = await applyMigrations(
  db,
  await readMigrations(new URL('./migrations', import.meta.url).pathname),
);
console.log(applied.length ? `Applied migrations ${applied.join(', ')}` : 'Database schema is up to date');
client.destroy();
