/**
 * `npm run migrate`: applies db/migrations through the Data API to the cluster named by DB_CLUSTER_ARN,
 * DB_SECRET_ARN (the master user's) and DB_NAME (a deployed stage's outputs), with the caller's AWS
 * credentials; DB_ENGINE=mysql applies their MySQL forms (db/migrations/mysql) to an Aurora MySQL cluster.
 * Then it creates, or brings up to date, the users the functions sign in as, with the passwords in their
 * secrets (DB_READER_SECRET_ARN, DB_WRITER_SECRET_ARN), and grants them the tables. DATA_API_ENDPOINT
 * points it at another endpoint, such as the local one, where the users need no secrets.
 */
import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDatabase, type Engine } from '../lib/db/database.js';
import { applyMigrations, migrationsFolder, readMigrations } from '../lib/db/migrations.js';
import { readDatabaseUserPasswords } from './user-secrets.js';
import { applyDatabaseUsers } from './users.js';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required (see the stack outputs and README.md, "Deploying")`);
    process.exit(2);
  }
  return value;
};

const engine = (process.env.DB_ENGINE || 'postgresql') as Engine;
if (engine !== 'postgresql' && engine !== 'mysql') {
  console.error(`DB_ENGINE must be postgresql or mysql, not ${engine}`);
  process.exit(2);
}

const endpoint = process.env.DATA_API_ENDPOINT || undefined;
// Read before anything is applied, so that a missing one stops the command with the schema untouched.
const userSecretArns = endpoint
  ? undefined
  : { reader: required('DB_READER_SECRET_ARN'), writer: required('DB_WRITER_SECRET_ARN') };
const client = new RDSDataClient({ endpoint });
const name = process.env.DB_NAME ?? 'albums';
const db = createDatabase({
  client,
  clusterArn: required('DB_CLUSTER_ARN'),
  secretArn: required('DB_SECRET_ARN'),
  name,
  engine,
});
const applied = await applyMigrations(
  db,
  await readMigrations(migrationsFolder(new URL('./migrations', import.meta.url).pathname, engine)),
);
console.log(applied.length ? `Applied migrations ${applied.join(', ')}` : 'Database schema is up to date');

if (userSecretArns) {
  const secrets = new SecretsManagerClient({});
  await applyDatabaseUsers(db, name, await readDatabaseUserPasswords(secrets, userSecretArns));
  secrets.destroy();
  console.log('Database users albums_reader and albums_writer are up to date');
} else if (engine === 'postgresql') {
  // The local endpoint switches to the users with SET ROLE, and cannot on MySQL (local/EMULATORS.md).
  await applyDatabaseUsers(db, name);
  console.log('Database roles albums_reader and albums_writer are up to date');
}
client.destroy();
