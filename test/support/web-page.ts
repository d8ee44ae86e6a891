/** The environment of a deployed stage's web function: Cognito's issuer and hosted page, a regional bucket. */
export const DEPLOYED_PAGE_ENV = {
  AWS_REGION: 'eu-west-1',
  COVERS_BUCKET: 'album-service-prod-covers',
  AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
  AUTH_CLIENT_ID: 'client',
  AUTH_HOSTED_UI: 'https://albums-123.auth.eu-west-1.amazoncognito.com',
};
