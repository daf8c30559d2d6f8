/**
 * The one direction of imports between the stages of the pipeline (`npm run lint` runs this).
 * Stages are listed lowest first: a module may import its own stage and the stages below it,
 * never one above, and never a sibling that shares its level. A violation names both files.
 */
const LAYERS = [
  { name: 'shared types and pacing', paths: ['src/(kinds|result|errors)\\.ts$', 'src/pacing/'] },
  { name: 'input and options', paths: ['src/input/', 'src/options\\.ts$'] },
  { name: 'report', paths: ['src/report/'] },
  { name: 'results and api', paths: ['src/results/', 'src/api/'] },
  { name: 'job', paths: ['src/job/'] },
  // The page's server runs uploads through the job, as the command line does; the CLI starts it.
  { name: 'server', paths: ['src/server/'] },
  { name: 'cli', paths: ['src/cli/'] },
  { name: 'entry points', paths: ['src/bin\\.ts$', 'src/demo\\.ts$', 'src/demo-web\\.ts$'] },
];

const anchored = (paths) => paths.map((p) => `^${p}`);

/** Forbid each layer's modules to reach any higher layer, and siblings of the same layer. */
function layerRules() {
  return LAYERS.flatMap((layer, index) => {
    const higher = LAYERS.slice(index + 1).flatMap((l) => l.paths);
    const rules = [];
    if (higher.length > 0) {
      rules.push({
        name: `no-upward-from-${layer.name.replace(/\W+/g, '-')}`,
        comment: `${layer.name} may not import a higher stage (${LAYERS.slice(index + 1)
          .map((l) => l.name)
          .join(', ')})`,
        severity: 'error',
        from: { path: anchored(layer.paths) },
        to: { path: anchored(higher) },
      });
    }
    for (const own of layer.paths) {
      const siblings = layer.paths.filter((p) => p !== own);
      if (siblings.length === 0) continue;
      rules.push({
        name: `no-sideways-in-${layer.name.replace(/\W+/g, '-')}`,
        comment: `stages on one level (${layer.name}) do not import each other`,
        severity: 'error',
        from: { path: `^${own}` },
        to: { path: anchored(siblings) },
      });
    }
    return rules;
  });
}

const STAGES = LAYERS.flatMap((l) => l.paths).filter((p) => !/demo/.test(p));

module.exports = {
  forbidden: [
    ...layerRules(),
    {
      name: 'stages-do-not-use-tools',
      comment:
        'the pipeline does not import the simulator or the benchmark (only the demo starts the simulator)',
      severity: 'error',
      from: { path: anchored(STAGES.filter((p) => !/bin/.test(p))) },
      to: { path: '^src/(simulator|bench)/' },
    },
    {
      name: 'simulator-stands-alone',
      comment: 'the simulator is a stand-in for the API: it imports nothing of the program',
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: '^src/', pathNot: '^src/simulator/' },
    },
    {
      name: 'bench-uses-the-built-program-only',
      comment: 'the benchmark runs the built CLI as a process; it may import only the simulator (its types)',
      severity: 'error',
      from: { path: '^src/bench/' },
      to: { path: '^src/', pathNot: '^src/(bench|simulator)/' },
    },
    {
      name: 'only-serve-starts-the-server',
      comment: "the page's server is started by the `serve` command alone (src/cli/serve-command.ts)",
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/server/', '^src/cli/serve-command\\.ts$'] },
      to: { path: '^src/server/' },
    },
    {
      name: 'no-circular',
      comment: 'a cycle between modules hides which one is the lower stage',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
