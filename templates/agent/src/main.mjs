import { createAgentEngine, runAgent } from './agent.mjs';

const goal = process.argv.slice(2).join(' ') || 'refund';
const engine = await createAgentEngine();
try {
  console.log(`goal: "${goal}"`);
  const { state, history, report } = await runAgent(engine, goal, {
    onEvent: (topic, payload) => {
      if (topic === 'visited') console.log(`  visited ${payload.path}`);
      if (topic === 'found') console.log(`  found it on ${payload.path}`);
    },
  });
  console.log('');
  console.log(`final state: ${state}   (${history.join(', ')})`);
  if (report?.found) console.log(`answer from ${report.page}: "${report.excerpt}"`);
  else console.log(`nothing about "${goal}" in ${report?.pagesVisited ?? 0} pages`);
  console.log(`${report?.pagesVisited ?? 0} pages visited, state version ${engine.state.version}`);
} finally {
  await engine.close();
}
