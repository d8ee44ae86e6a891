import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DATABASE_USERS, type DatabaseUserKind, type DatabaseUserPasswords } from './users.js';

/** Thrown when a user's secret does not hold that user's name and a password. */
export class UserSecretError extends Error {
  override readonly name = 'UserSecretError';
}

/**
 * The database users' passwords, read from their secrets (the stack outputs DatabaseReaderSecretArn and
 * DatabaseWriterSecretArn) with the caller's AWS credentials; each secret must name its user.
 *
 * @example
 * const passwords = await readDatabaseUserPasswords(new SecretsManagerClient({}), { reader, writer });
 */
export async function readDatabaseUserPasswords(
  secrets: SecretsManagerClient,
  secretArns: Readonly<Record<DatabaseUserKind, string>>,
): Promise<DatabaseUserPasswords> {
  const read = async (kind: DatabaseUserKind) => {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArns[kind] }));
    const { username, password } = JSON.parse(SecretString ?? '{}') as Record<string, unknown>;
    if (username !== DATABASE_USERS[kind] || typeof password !== 'string') {
      throw new UserSecretError(`${secretArns[kind]} holds no password for ${DATABASE_USERS[kind]}`);
    }
    return password;
  };
  const [reader, writer] = await Promise.all([read('reader'), read('writer')]);
  return { reader, writer };
}
