// The local stage's endpoints (params.local): those of the running `npm start`, which publishes them in its
// data folder (LOCAL_DATA_DIR, default .local-data), so `serverless invoke local` reaches the stack on
// whatever ports it runs. A variable set in the environment wins, as npm start sets them for
// serverless-offline; with no stack published, the default ports. Only the local stage resolves it.
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

// Each param, the function environment variable it becomes, and its value on the default ports.
const PARAMS = {
  dataApiEndpoint: ['DATA_API_ENDPOINT', 'http://127.0.0.1:4010'],
  s3Endpoint: ['S3_ENDPOINT', 'http://127.0.0.1:4569'],
  sqsEndpoint: ['SQS_ENDPOINT', 'http://127.0.0.1:9324'],
  reviewsQueueUrl: ['REVIEWS_QUEUE_URL', 'http://127.0.0.1:9324/000000000000/album-reviews-local'],
  dbEngine: ['DB_ENGINE', 'postgresql'],
};

/** The environment the running stack's functions have, as endpoints.json records it; {} with none running. */
function publishedEnvironment() {
  const file = join(resolve(__dirname, '..', process.env.LOCAL_DATA_DIR || '.local-data'), 'endpoints.json');
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    throw error;
  }
  try {
    return JSON.parse(text).environment ?? {};
  } catch (error) {
    throw new Error(`${file} is not the JSON npm start writes (${error.message}): restart npm start`);
  }
}

module.exports = () => {
  const published = publishedEnvironment();
  return Object.fromEntries(
    Object.entries(PARAMS).map(([param, [variable, fallback]]) => [
      param,
      process.env[variable] || published[variable] || fallback,
    ]),
  );
};
