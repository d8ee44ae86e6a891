const webOrigins = require('./web-origins.cjs');

// Where Cognito's hosted UI may send a signed-in (or signed-out) visitor back to: the page the API serves
// itself, and the same page at each origin WEB_ORIGIN names (see web-origins.cjs).
module.exports = () => [
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub fills these in, not JavaScript
  { 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/' },
  ...webOrigins().map((origin) => `${origin}/`),
];
