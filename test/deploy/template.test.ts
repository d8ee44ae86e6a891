import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_USERS } from '../../db/users.js';
import { type Json, packageStage, type Resource } from '../support/package-template.js';

type Statement = { Action: string | string[]; Resource: Json };
let resources: Record<string, Resource>;
let outputs: Record<string, { Value: Json }>;

/** Packages the prod stage as `serverless package` does, with `args` added, and returns its template. */
const packageTemplate = async (args: string[] = []) => (await packageStage(args)).template;

beforeAll(async () => {
  ({ Resources: resources, Outputs: outputs } = await packageTemplate());
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const functionNamed = (name: string) => resources[`${name}LambdaFunction`] as Resource;
const statementsOf = (roleId: string) =>
  (resources[roleId]?.Properties.Policies ?? []).flatMap(
    (policy: Json): Statement[] => policy.PolicyDocument.Statement,
  );

describe('the deployable template', () => {
  it('runs every function on nodejs22.x with its environment taken from the resources', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const [, fn] of functions) expect(fn.Properties.Runtime).toBe('nodejs22.x');
    const env = functionNamed('CreateAlbum').Properties.Environment.Variables;
    expect(env.DB_CLUSTER_ARN).toEqual({ 'Fn::GetAtt': ['DatabaseCluster', 'DBClusterArn'] });
    expect(env.DB_SECRET_ARN).toEqual({ Ref: 'DatabaseWriterSecret' });
    expect(env.COVERS_BUCKET).toBe((resources.CoversBucket as Resource).Properties.BucketName);
    expect(env.REVIEWS_QUEUE_URL).toEqual({ Ref: 'ReviewsQueue' });
    expect(env.DATA_API_ENDPOINT).toBe('');
  });

  it('declares an Aurora Serverless v2 PostgreSQL cluster with the Data API and a managed secret', () => {
    const cluster = resources.DatabaseCluster as Resource;
    expect(cluster.Type).toBe('AWS::RDS::DBCluster');
    expect(cluster.Properties).toMatchObject({
      Engine: 'aurora-postgresql',
      EnableHttpEndpoint: true,
      ManageMasterUserPassword: true,
      StorageEncrypted: true,
    });
    expect(cluster.Properties.ServerlessV2ScalingConfiguration.MaxCapacity).toBeGreaterThan(0);
    expect(resources.DatabaseInstance?.Properties.DBInstanceClass).toBe('db.serverless');
    expect(resources.DatabaseInstance?.Properties.Engine).toBe('aurora-postgresql');
    expect(functionNamed('ApplyReviews').Properties.Environment.Variables.DB_ENGINE).toBe('postgresql');
  });

  it('signs each function in to the database as the reader or the writer, never as the master user', () => {
    const readOnly = [
      'GetAlbum',
      'ListAlbums',
      'GetReviews',
      'GetMyReview',
      'CourseGetAlbum',
      'CourseGetReviews',
    ];
    const withoutDatabase = ['Web', 'Docs'];
    const functions = ofType('AWS::Lambda::Function').map(([logicalId, fn]) => ({
      name: logicalId.replace(/LambdaFunction$/, ''),
      secret: fn.Properties.Environment.Variables.DB_SECRET_ARN,
      role: fn.Properties.Role['Fn::GetAtt'][0] as string,
    }));
    for (const { name, secret } of functions) {
      const expected = withoutDatabase.includes(name)
        ? undefined
        : { Ref: readOnly.includes(name) ? 'DatabaseReaderSecret' : 'DatabaseWriterSecret' };
      expect(secret, name).toEqual(expected);
    }

    const secretsReadBy = (roleId: string) =>
      statementsOf(roleId)
        .filter((s: Statement) => [s.Action].flat().some((action) => action.startsWith('secretsmanager:')))
        .map((s: Statement) => ({ actions: [s.Action].flat(), resource: s.Resource }));
    // Each role may read exactly the secret its functions sign in with (the Data API reads it with the
    // caller's credentials): the master secret, none.
    for (const { name, secret, role } of functions) {
      expect(secretsReadBy(role), `${role} (${name})`).toEqual(
        secret ? [{ actions: ['secretsmanager:GetSecretValue'], resource: secret }] : [],
      );
    }
    const master = { 'Fn::GetAtt': ['DatabaseCluster', 'MasterUserSecret.SecretArn'] };
    for (const [roleId] of ofType('AWS::IAM::Role')) {
      expect(JSON.stringify(resources[roleId]), roleId).not.toContain('MasterUserSecret');
    }
    expect(outputs.DatabaseSecretArn?.Value).toEqual(master);
  });

  it('generates each database user a secret of its own, tied to the cluster, for the migrate command', () => {
    for (const [kind, username] of Object.entries(DATABASE_USERS)) {
      const secretId = kind === 'reader' ? 'DatabaseReaderSecret' : 'DatabaseWriterSecret';
      const secret = resources[secretId] as Resource;
      expect(secret.Type).toBe('AWS::SecretsManager::Secret');
      const generated = secret.Properties.GenerateSecretString;
      expect(JSON.parse(generated.SecretStringTemplate)).toEqual({ username });
      expect(generated.GenerateStringKey).toBe('password');
      expect(generated.PasswordLength).toBeGreaterThanOrEqual(32);
      // Written into CREATE ROLE as a literal: no quotes, backslashes or colons.
      expect(generated.ExcludePunctuation).toBe(true);

      const [[, attachment]] = ofType('AWS::SecretsManager::SecretTargetAttachment').filter(
        ([, resource]) => resource.Properties.SecretId.Ref === secretId,
      ) as [[string, Resource]];
      expect(attachment.Properties).toMatchObject({
        TargetId: { Ref: 'DatabaseCluster' },
        TargetType: 'AWS::RDS::DBCluster',
      });
      expect(outputs[`${secretId}Arn`]?.Value).toEqual({ Ref: secretId });
    }
  });

  it('keeps the covers bucket private, encrypted and open to browser uploads from the web origin only', () => {
    const bucket = (resources.CoversBucket as Resource).Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('AES256');
    const [rule] = bucket.CorsConfiguration.CorsRules;
    expect(rule.AllowedMethods).toContain('POST');
    expect(rule.AllowedOrigins).not.toContain('*');
  });

  it('throttles the HTTP API', () => {
    const settings = (resources.HttpApiStage as Resource).Properties.DefaultRouteSettings;
    expect(settings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(settings.ThrottlingBurstLimit).toBeGreaterThan(0);
  });

  it('gives each function a role allowing only what it touches', () => {
    const roleOf = (name: string) => functionNamed(name).Properties.Role['Fn::GetAtt'][0];
    expect(roleOf('CreateAlbum')).toBe('CreateAlbumRole');
    expect(roleOf('GetAlbum')).toBe('ReadAlbumsRole');
    expect(roleOf('ListAlbums')).toBe('ReadAlbumsRole');

    const actions = (roleId: string) => statementsOf(roleId).flatMap((s: Statement) => [s.Action].flat());
    expect(actions('CreateAlbumRole')).toContain('s3:PutObject');
    expect(actions('ReadAlbumsRole')).not.toContain('s3:PutObject');
    expect(actions(roleOf('Docs'))).toEqual([]);

    const upload = statementsOf('CreateAlbumRole').find((s: Statement) => s.Action === 's3:PutObject');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub expression
    expect(upload?.Resource).toEqual({ 'Fn::Sub': '${CoversBucket.Arn}/covers/*' });
    for (const [roleId] of ofType('AWS::IAM::Role')) {
      for (const statement of statementsOf(roleId)) {
        expect(statement.Resource, `${roleId} grants on every resource`).not.toBe('*');
        expect([statement.Action].flat().some((action: string) => action.endsWith(':*'))).toBe(false);
      }
    }
  });

  it('feeds the reviews consumer from a queue with a dead-letter queue and a long enough visibility', () => {
    const queue = (resources.ReviewsQueue as Resource).Properties;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['ReviewsDeadLetterQueue', 'Arn'] },
      maxReceiveCount: 5,
    });
    const consumerTimeout = functionNamed('ApplyReviews').Properties.Timeout;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * consumerTimeout);

    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['ReviewsQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(mapping.Properties.BatchSize).toBeGreaterThan(1);
    expect(mapping.Properties.MaximumBatchingWindowInSeconds).toBeGreaterThan(0);
  });

  it('lets the review API only send to the queue, and the consumer only read from it', () => {
    const sqsActions = (roleId: string) =>
      statementsOf(roleId)
        .flatMap((s: Statement) => [s.Action].flat())
        .filter((action: string) => action.startsWith('sqs:'));
    expect(sqsActions('ReviewsApiRole')).toEqual(['sqs:SendMessage']);
    expect(sqsActions('ApplyReviewsRole')).not.toContain('sqs:SendMessage');
    expect(sqsActions('ApplyReviewsRole')).toContain('sqs:DeleteMessage');
    expect(sqsActions('ReadAlbumsRole')).toEqual([]);
  });

  it('has the covers bucket invoke the verifier for objects created under covers/, and nothing else', () => {
    const bucket = resources.CoversBucket as Resource;
    const [notification] = bucket.Properties.NotificationConfiguration.LambdaConfigurations;
    expect(notification).toEqual({
      Event: 's3:ObjectCreated:*',
      Function: { 'Fn::GetAtt': ['VerifyCoverLambdaFunction', 'Arn'] },
      Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'covers/' }] } },
    });
    expect((bucket as Resource & { DependsOn: string[] }).DependsOn).toEqual(['VerifyCoverPermission']);
    const permission = (resources.VerifyCoverPermission as Resource).Properties;
    expect(permission).toMatchObject({
      Principal: 's3.amazonaws.com',
      SourceArn: `arn:aws:s3:::${bucket.Properties.BucketName}`,
    });

    const verifier = statementsOf('VerifyCoverRole').find((s: Statement) =>
      [s.Action].flat().includes('s3:DeleteObject'),
    );
    expect([verifier?.Action].flat().sort()).toEqual(['s3:DeleteObject', 's3:GetObject']);
    expect(verifier?.Resource).toBe(`arn:aws:s3:::${bucket.Properties.BucketName}/covers/*`);
    expect(functionNamed('VerifyCover').Properties.Role['Fn::GetAtt'][0]).toBe('VerifyCoverRole');
  });

  it('keeps covers the course API received outside covers/, where only their writer, readers and replacer reach', () => {
    const bucketArn = `arn:aws:s3:::${(resources.CoversBucket as Resource).Properties.BucketName}`;
    const grants = (roleId: string, action: string) =>
      statementsOf(roleId)
        .filter((s: Statement) => [s.Action].flat().includes(action))
        .flatMap((s: Statement) => [s.Resource].flat());
    const courseCreate = functionNamed('CourseCreateAlbum').Properties.Role['Fn::GetAtt'][0];
    expect(grants(courseCreate, 's3:PutObject')).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub expression
      { 'Fn::Sub': '${CoversBucket.Arn}/received-covers/*' },
    ]);
    expect(grants('ReadAlbumsRole', 's3:GetObject')).toEqual([
      `${bucketArn}/covers/*`,
      `${bucketArn}/received-covers/*`,
      `${bucketArn}/shown-covers/*`,
    ]);
    expect(grants('VerifyCoverRole', 's3:DeleteObject')).toEqual([
      `${bucketArn}/covers/*`,
      `${bucketArn}/shown-covers/*`,
      `${bucketArn}/received-covers/*`,
    ]);
    // Only the verifier and the sweeper write the copies covers are shown from; no upload form reaches them.
    expect(grants('VerifyCoverRole', 's3:PutObject')).toEqual([`${bucketArn}/shown-covers/*`]);
    expect(grants('CreateAlbumRole', 's3:PutObject')).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub expression
      { 'Fn::Sub': '${CoversBucket.Arn}/covers/*' },
    ]);
  });

  it('sends a verifier invocation that failed every retry to a queue of its own, which only the verifier may send to', () => {
    const [[, config]] = ofType('AWS::Lambda::EventInvokeConfig') as [[string, Resource]];
    expect(config.Properties).toMatchObject({
      FunctionName: { Ref: 'VerifyCoverLambdaFunction' },
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['CoverVerificationFailuresQueue', 'Arn'] } },
      },
    });
    expect(resources.CoverVerificationFailuresQueue?.Type).toBe('AWS::SQS::Queue');
    const senders = ofType('AWS::IAM::Role').filter(([roleId]) =>
      statementsOf(roleId).some(
        (s: Statement) =>
          [s.Action].flat().includes('sqs:SendMessage') &&
          JSON.stringify(s.Resource).includes('CoverVerificationFailuresQueue'),
      ),
    );
    expect(senders.map(([roleId]) => roleId)).toEqual(['VerifyCoverRole']);
    expect(
      statementsOf('VerifyCoverRole').find((s: Statement) => [s.Action].flat().includes('sqs:SendMessage')),
    ).toEqual({
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': ['CoverVerificationFailuresQueue', 'Arn'] },
    });
  });

  it('runs the cover sweeper every few minutes, allowed only what judging a cover takes', () => {
    const rules = ofType('AWS::Events::Rule').filter(([, rule]) =>
      rule.Properties.Targets.some(
        (target: Json) => target.Arn['Fn::GetAtt']?.[0] === 'SweepCoversLambdaFunction',
      ),
    );
    expect(rules).toHaveLength(1);
    const [[, rule]] = rules as [[string, Resource]];
    expect(rule.Properties.State).toBe('ENABLED');
    const [, minutes] = /^rate\((\d+) minutes?\)$/.exec(rule.Properties.ScheduleExpression) ?? [];
    expect(Number(minutes)).toBeGreaterThanOrEqual(1);
    expect(Number(minutes)).toBeLessThanOrEqual(5);
    const sweeper = functionNamed('SweepCovers').Properties;
    expect(sweeper.Role['Fn::GetAtt'][0]).toBe('SweepCoversRole');
    // A sweep may judge a batch of covers, each read whole and decoded.
    expect(sweeper.Timeout).toBeGreaterThan(functionNamed('VerifyCover').Properties.Timeout);
    expect(sweeper.Environment.Variables.COVER_SWEEP_AFTER_SECONDS).toBe('180');

    const bucketArn = `arn:aws:s3:::${(resources.CoversBucket as Resource).Properties.BucketName}`;
    const s3Grants = statementsOf('SweepCoversRole')
      .filter((s: Statement) => [s.Action].flat().some((action) => action.startsWith('s3:')))
      .map((s: Statement) => ({ actions: [s.Action].flat().sort(), resource: s.Resource }));
    expect(s3Grants).toEqual([
      { actions: ['s3:DeleteObject', 's3:GetObject'], resource: `${bucketArn}/covers/*` },
      { actions: ['s3:DeleteObject', 's3:PutObject'], resource: `${bucketArn}/shown-covers/*` },
      { actions: ['s3:DeleteObject'], resource: `${bucketArn}/received-covers/*` },
    ]);
    const everyAction = statementsOf('SweepCoversRole').flatMap((s: Statement) => [s.Action].flat());
    expect(everyAction.filter((action: string) => action.startsWith('sqs:'))).toEqual([]);
  });

  it("lets only the album deleter remove an album's uploads and verified copies, listing no more than those, and none remove received ones", () => {
    const bucket = (resources.CoversBucket as Resource).Properties.BucketName;
    const roleOf = (name: string) => functionNamed(name).Properties.Role['Fn::GetAtt'][0];
    expect(roleOf('DeleteAlbum')).toBe('DeleteAlbumRole');
    expect(roleOf('UpdateAlbum')).toBe('UpdateAlbumRole');
    const granting = (action: string) =>
      ofType('AWS::IAM::Role')
        .filter(([roleId]) => statementsOf(roleId).some((s: Statement) => [s.Action].flat().includes(action)))
        .map(([roleId]) => roleId)
        .sort();
    // The verifier and the sweeper remove strays and replaced covers; the course's creator, a received cover
    // it could not store.
    expect(granting('s3:DeleteObject')).toEqual([
      'CourseCreateAlbumRole',
      'DeleteAlbumRole',
      'SweepCoversRole',
      'VerifyCoverRole',
    ]);
    expect(granting('s3:ListBucket')).toEqual(['DeleteAlbumRole']);
    const statements = statementsOf('DeleteAlbumRole') as Array<Statement & { Condition?: Json }>;
    expect(statements.find((s) => s.Action === 's3:DeleteObject')?.Resource).toEqual([
      `arn:aws:s3:::${bucket}/covers/*`,
      `arn:aws:s3:::${bucket}/shown-covers/*`,
    ]);
    expect(statements.find((s) => s.Action === 's3:ListBucket')).toMatchObject({
      Resource: `arn:aws:s3:::${bucket}`,
      Condition: { StringLike: { 's3:prefix': ['covers/*', 'shown-covers/*'] } },
    });
    expect(
      statements.flatMap((s) => [s.Action].flat()).filter((a: string) => !a.startsWith('rds-data:')),
    ).toEqual(['secretsmanager:GetSecretValue', 's3:ListBucket', 's3:DeleteObject']);
    const updater = statementsOf('UpdateAlbumRole').flatMap((s: Statement) => [s.Action].flat());
    expect(updater.filter((a: string) => a.startsWith('s3:'))).toEqual(['s3:GetObject']);
  });

  it("sends votes and withdrawals through the review API role, and reads a caller's own vote as the reader", () => {
    const roleOf = (name: string) => functionNamed(name).Properties.Role['Fn::GetAtt'][0];
    expect(roleOf('WithdrawReview')).toBe('ReviewsApiRole');
    expect(roleOf('GetMyReview')).toBe('ReadAlbumsRole');
  });

  it('has a sample event in events/ for every function, for serverless invoke local', async () => {
    const names = ofType('AWS::Lambda::Function').map(([logicalId]) => {
      const name = logicalId.replace(/LambdaFunction$/, '');
      return name.charAt(0).toLowerCase() + name.slice(1);
    });
    const events = (await readdir(join(import.meta.dirname, '..', '..', 'events'))).map((file) =>
      file.replace(/\.json$/, ''),
    );
    expect(events.sort()).toEqual(names.sort());
  });
});

type Route = { RouteKey: string; AuthorizationType?: string; AuthorizerId?: Json };
const routesOf = (template: Record<string, Resource>) =>
  Object.values(template)
    .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
    .map((resource) => resource.Properties as Route);
/** Reads that still need a caller: the caller's own vote. */
const SIGNED_IN_READS = new Set(['GET /albums/{albumId}/reviews/mine']);
const isNativeWrite = ({ RouteKey }: Route) =>
  !RouteKey.startsWith('GET ') && !RouteKey.includes(' /cs6650/') && RouteKey !== '$default';

describe('sign-in in the deployable template', () => {
  it('creates a Cognito user pool with a public web client: authorization code with PKCE, through a hosted UI', () => {
    const [[poolId]] = ofType('AWS::Cognito::UserPool') as [[string, Resource]];
    const [[, client]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Resource]];
    expect(client.Properties).toMatchObject({
      UserPoolId: { Ref: poolId },
      GenerateSecret: false, // a page keeps no secret: PKCE stands in for it
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect(client.Properties.AllowedOAuthScopes).toContain('openid');
    expect(client.Properties.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    // Back to the page the API serves, and to the web origin's.
    expect(client.Properties.CallbackURLs).toContainEqual({
      'Fn::Sub': expect.stringMatching(/^https:\/\/\$\{HttpApi\}\.execute-api\./),
    });
    const [[, domain]] = ofType('AWS::Cognito::UserPoolDomain') as [[string, Resource]];
    expect(domain.Properties.UserPoolId).toEqual({ Ref: poolId });
    expect(outputs.AlbumUsersHostedUi).toBeDefined();
  });

  it("signs the page in on that pool's hosted UI, with the client the authorizer trusts", () => {
    const env = functionNamed('Web').Properties.Environment.Variables;
    const [[poolId]] = ofType('AWS::Cognito::UserPool') as [[string, Resource]];
    const [[clientId]] = ofType('AWS::Cognito::UserPoolClient') as [[string, Resource]];
    const [[domainId]] = ofType('AWS::Cognito::UserPoolDomain') as [[string, Resource]];
    expect(env.AUTH_SIGN_IN).toBe('hosted');
    expect(JSON.stringify(env.AUTH_ISSUER)).toContain(poolId);
    expect(env.AUTH_CLIENT_ID).toEqual({ Ref: clientId });
    expect(JSON.stringify(env.AUTH_HOSTED_UI)).toContain(`\${${domainId}}.auth.`);
  });

  it('puts the albumUsers JWT authorizer, trusting that pool and client, on every native write and no open read', () => {
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [[authorizerId, authorizer]] = authorizers as [[string, Resource]];
    expect(authorizer.Properties).toMatchObject({
      Name: 'albumUsers',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: {
          'Fn::Sub': expect.stringMatching(
            /^https:\/\/cognito-idp\.\$\{AWS::Region\}\..*\/\$\{AlbumUsers\}$/,
          ),
        },
        Audience: [{ Ref: 'AlbumUsersWebClient' }],
      },
    });
    const routes = routesOf(resources);
    const writes = routes.filter(isNativeWrite);
    expect(writes.map((route) => route.RouteKey)).toEqual(
      expect.arrayContaining([
        'POST /albums',
        'POST /albums/{albumId}/cover',
        'POST /albums/{albumId}/reviews',
      ]),
    );
    for (const route of routes) {
      const signedIn = isNativeWrite(route) || SIGNED_IN_READS.has(route.RouteKey);
      expect(route.AuthorizationType, route.RouteKey).toBe(signedIn ? 'JWT' : undefined);
      expect(route.AuthorizerId, route.RouteKey).toEqual(signedIn ? { Ref: authorizerId } : undefined);
    }
    // The course contract stays open, and is there by default.
    expect(routes.filter((route) => route.RouteKey.includes(' /cs6650/'))).toHaveLength(4);
  });

  it('lets a browser on the web origin send the token', () => {
    const cors = (resources.HttpApi as Resource).Properties.CorsConfiguration;
    expect(cors.AllowHeaders.map((header: string) => header.toLowerCase())).toContain('authorization');
  });
});

describe('the deployable template with --param="courseApi=off" and another OpenID issuer', () => {
  let custom: Record<string, Resource>;

  beforeAll(async () => {
    ({ Resources: custom } = await packageTemplate([
      '--param=courseApi=off',
      '--param=authIssuer=https://login.example.com/realms/albums',
      '--param=authAudience=album-api',
    ]));
  }, 120_000);

  it('has no course routes, and the same native ones', () => {
    const keys = routesOf(custom).map((route) => route.RouteKey);
    expect(keys.filter((key) => key.includes(' /cs6650/'))).toEqual([]);
    expect(keys.sort()).toEqual(
      routesOf(resources)
        .map((route) => route.RouteKey)
        .filter((key) => !key.includes(' /cs6650/'))
        .sort(),
    );
  });

  it('has the authorizer trust the issuer and audience given', () => {
    const [[, authorizer]] = Object.entries(custom).filter(
      ([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Authorizer',
    ) as [[string, Resource]];
    expect(authorizer.Properties.JwtConfiguration).toEqual({
      Issuer: 'https://login.example.com/realms/albums',
      Audience: ['album-api'],
    });
  });
});

describe('the deployable template with --param="dbEngine=mysql"', () => {
  let mysqlResources: Record<string, Resource>;

  beforeAll(async () => {
    ({ Resources: mysqlResources } = await packageTemplate(['--param=dbEngine=mysql']));
  }, 120_000);

  it('declares an Aurora MySQL v3 Serverless v2 cluster with the Data API, and tells the functions', () => {
    const cluster = mysqlResources.DatabaseCluster as Resource;
    expect(cluster.Properties).toMatchObject({
      Engine: 'aurora-mysql',
      EnableHttpEndpoint: true,
      ManageMasterUserPassword: true,
      StorageEncrypted: true,
    });
    // The Data API on Serverless v2 needs Aurora MySQL 3.07 or later; pausing at 0 ACUs, 3.08.
    const [, minor] = /^8\.0\.mysql_aurora\.3\.(\d+)\.\d+$/.exec(cluster.Properties.EngineVersion) ?? [];
    expect(Number(minor)).toBeGreaterThanOrEqual(8);
    expect(cluster.Properties.ServerlessV2ScalingConfiguration.MinCapacity).toBe(0);
    expect(mysqlResources.DatabaseInstance?.Properties).toMatchObject({
      Engine: 'aurora-mysql',
      DBInstanceClass: 'db.serverless',
    });
    for (const [, fn] of Object.entries(mysqlResources).filter(
      ([, r]) => r.Type === 'AWS::Lambda::Function',
    )) {
      expect(fn.Properties.Environment.Variables.DB_ENGINE).toBe('mysql');
    }
  });
});
