import { fileURLToPath } from 'node:url';
import { TheusEngine } from 'theus';
import { initialContext } from './context.mjs';

const file = (relative) => fileURLToPath(new URL(relative, import.meta.url));

/**
 * An engine with the initial state, the audit recipe and every process found in src/processes.
 * @param {Parameters<typeof initialContext>[0]} [overrides]
 */
export async function createEngine(overrides) {
  const engine = new TheusEngine(initialContext(overrides), { auditRecipe: file('../specs/audit_recipe.yaml') });
  await engine.scanAndRegister(file('./processes'));
  return engine;
}

/** Runs the task workflow; resolves with the engine (for its state, metrics and audit log) and the run result. */
export async function runPipeline(engine, options = {}) {
  const result = await engine.executeWorkflow(file('../workflows/main.yaml'), options);
  return { engine, result };
}
