import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const projectRoot = resolve(import.meta.dirname, '../..');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Workflow {
  on: { workflow_dispatch: { inputs: { stage: { options: string[]; default: string } } } };
  permissions: Record<string, string>;
  jobs: { deploy: { steps: Step[] } };
}

let text: string;
let workflow: Workflow;
let steps: Step[];
let scripts: Record<string, string>;
let manifest: string;

beforeAll(async () => {
  text = await readFile(join(projectRoot, '.github', 'workflows', 'deploy.yml'), 'utf8');
  workflow = parse(text) as Workflow;
  steps = workflow.jobs.deploy.steps;
  scripts = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')).scripts;
  manifest = await readFile(join(projectRoot, 'serverless.yml'), 'utf8');
});

const stepIndex = (pattern: RegExp) =>
  steps.findIndex((step) => pattern.test(`${step.uses ?? ''} ${step.run ?? ''}`));

describe('the deploy workflow', () => {
  it('gets its AWS credentials through OIDC, never from stored keys', () => {
    expect(workflow.permissions['id-token']).toBe('write');
    const credentials = steps.filter((step) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.with?.['role-to-assume']).toBeTruthy();
    expect(text).not.toMatch(
      /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/i,
    );
    expect(text).not.toMatch(/secrets\./);
  });

  it('packages, deploys, migrates and smoke tests, in that order, credentials before anything reaches AWS', () => {
    const order = [
      stepIndex(/serverless package/),
      stepIndex(/configure-aws-credentials/),
      stepIndex(/serverless deploy/),
      stepIndex(/npm run migrate/),
      steps.findIndex((step) => step.name === 'Smoke test'),
    ];
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('runs only npm scripts that exist', () => {
    const used = [...text.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1] ?? '');
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(Object.keys(scripts)).toContain(script);
  });

  it('deploys AWS stages only, the stack serverless.yml names, and reads outputs the stack has', () => {
    const { options, default: fallback } = workflow.on.workflow_dispatch.inputs.stage;
    expect(options).toContain(fallback);
    // `local` is the stage npm start emulates: its params point at local endpoints.
    expect(options).not.toContain('local');
    const service = /^service:\s*(\S+)/m.exec(manifest)?.[1];
    expect(text).toContain(`--stack-name "${service}-$STAGE"`);
    const outputs = [...text.matchAll(/output (\w+)\)/g)].map((match) => match[1] ?? '');
    expect(outputs).toEqual([
      'DatabaseClusterArn',
      'DatabaseSecretArn',
      'DatabaseReaderSecretArn',
      'DatabaseWriterSecretArn',
      'DatabaseEngine',
      'HttpApiUrl',
    ]);
    // HttpApiUrl is the framework's own output for an HTTP API; the others are declared.
    for (const output of outputs.slice(0, -1)) expect(manifest).toMatch(new RegExp(`^    ${output}:`, 'm'));
    const migrate = steps[stepIndex(/npm run migrate/)];
    expect(Object.keys(migrate?.env ?? {})).toEqual([
      'DB_CLUSTER_ARN',
      'DB_SECRET_ARN',
      'DB_READER_SECRET_ARN',
      'DB_WRITER_SECRET_ARN',
      'DB_ENGINE',
    ]);
  });
});
