/** The smallest JSON handler: what serverless-offline costs on its own. */
export const handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"ok":true}',
});
