/**
 * The boundaries `npm run lint:deps` (and so `npm test`) holds the code to. The service (functions/, lib/)
 * never reaches its tools; its infrastructure never reaches its domain; nothing imports in a circle; the
 * workspace packages (local/, load/) are reached only through their package name and `exports`.
 */
const SERVICE = '^(functions|lib)/';
const TOOLS = '^(local|load|bench|test)/';
const INFRASTRUCTURE = '^lib/(db|http|cache|observability|aws)/';
const DOMAIN = '^lib/(albums|covers|course|reviews)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'service-imports-no-tools',
      comment:
        'functions/ and lib/ are what is deployed: they never import the local stack, the load client, benches or tests.',
      severity: 'error',
      from: { path: SERVICE },
      to: { path: TOOLS },
    },
    {
      name: 'infrastructure-imports-no-domain',
      comment:
        'lib/db, lib/http, lib/cache, lib/observability and lib/aws serve every domain and know none of them.',
      severity: 'error',
      from: { path: INFRASTRUCTURE },
      to: { path: DOMAIN },
    },
    {
      name: 'no-cycles',
      comment:
        'No module reaches itself through what runs; two modules naming each other’s types only are no cycle.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'load-imports-only-itself',
      comment: 'The load client works against any HTTP service: nothing of this repository outside load/.',
      severity: 'error',
      from: { path: '^load/' },
      to: { pathNot: '^(load/|node_modules/)', dependencyTypesNot: ['core'] },
    },
    {
      name: 'local-imports-of-the-service',
      comment:
        'The local stack applies the service’s migrations and database users with the service’s database layer ' +
        '(lib/db, db/users.ts), ties a consumer batch to its reviews by the message attribute lib/reviews/messages.ts names, and its ' +
        'benches measure the service’s own pieces; nothing else of the repository outside local/ and load/.',
      severity: 'error',
      from: { path: '^local/', pathNot: '^local/bench/' },
      to: {
        pathNot:
          '^(local/|load/|node_modules/|lib/db/(database|migrations)\\.ts$|db/users\\.ts$|lib/reviews/messages\\.ts$)',
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'local-only-by-name',
      comment:
        'Outside the local stack package, its files are reached only through its name and exports ' +
        '(@album-service/local/…), never by a relative path.',
      severity: 'error',
      from: { path: '^(?!local/).+' },
      to: { path: '^local/', dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'load-only-by-name',
      comment: 'As local-only-by-name, for the load client (@album-service/load/…).',
      severity: 'error',
      from: { path: '^(?!load/).+' },
      to: { path: '^load/', dependencyTypesNot: ['aliased-workspace'] },
    },
    {
      name: 'resolvable',
      comment: 'An import that does not resolve, a file a package does not export among them.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    combinedDependencies: true,
    exclude: {
      path: '(^|/)(node_modules|\\.esbuild|\\.serverless|\\.local-data[^/]*|coverage|test-artifacts)/',
    },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.cjs', '.js', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
