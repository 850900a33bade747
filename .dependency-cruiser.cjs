/**
 * `npm test` runs this first (npm run deps): the workspace's imports must form no cycle, and
 * packages depend one way only: core ← functions ← local ← e2e (bench/ and stacks/ sit on top).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: modules that need each other have no order to read or test them in.",
      // `export * as Monitor from "./monitor"` imports a module into itself: that is a namespace, not a cycle.
      from: { path: "(^.*$)" },
      to: { circular: true, pathNot: "^$1$" },
    },
    {
      name: "core-knows-no-adapters",
      severity: "error",
      comment: "packages/core is the domain: it knows nothing of handlers, the local runtime or tests of the stack.",
      from: { path: "^packages/core/" },
      to: { path: "^(packages/(functions|local|e2e)|bench|stacks)/" },
    },
    {
      name: "functions-know-no-runtime",
      severity: "error",
      comment: "Handlers run on Lambda; the local runtime and the end-to-end kit build on them, not the reverse.",
      from: { path: "^packages/functions/" },
      to: { path: "^(packages/(local|e2e)|bench)/" },
    },
    {
      name: "local-knows-no-tests",
      severity: "error",
      from: { path: "^packages/local/" },
      to: { path: "^(packages/e2e|bench)/" },
    },
    {
      name: "web-knows-only-the-api",
      severity: "error",
      comment: "The web app runs in browsers and talks to the API over HTTP; it shares types only through the generated OpenAPI types.",
      from: { path: "^packages/web/" },
      to: { path: "^(packages/(core|functions|local|e2e)|bench|stacks)/" },
    },
    {
      name: "no-undeclared-npm-package",
      severity: "error",
      comment: "Every npm package a file imports is listed in its own package's package.json, not found by hoisting luck.",
      from: {},
      // The shared toolchain (vitest, type packages) is installed once at the root.
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"], pathNot: "node_modules/(vitest|@types)/" },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(\\.sst|cdk\\.out|\\.build|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
