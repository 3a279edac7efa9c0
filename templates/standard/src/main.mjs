import { createEngine, runPipeline } from './app.mjs';

const engine = await createEngine();
try {
  const { result } = await runPipeline(engine, {
    onStep: (step) => console.log(`  step ${step.name.padEnd(12)} -> version ${step.version}`),
  });
  const report = engine.state.domain.report;
  console.log('');
  console.log(`Finished ${report.count} tasks: ${report.minutes} minutes, cost ${report.cost}; longest: "${report.longest}".`);
  console.log(`${result.steps.length} steps in ${result.durationMs.toFixed(1)} ms, state version ${engine.state.version}.`);
  const audit = engine.audit.stats().totals;
  console.log(`Audit: ${audit.violations} violations, ${audit.blocks} blocks.`);
} finally {
  await engine.close();
}
