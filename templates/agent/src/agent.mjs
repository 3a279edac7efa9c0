import { fileURLToPath } from 'node:url';
import { TheusEngine } from 'theus';

const file = (relative) => fileURLToPath(new URL(relative, import.meta.url));

/** An engine holding the agent's memory, with the agent's processes registered. */
export async function createAgentEngine({ maxVisits = 20, startPage = '/' } = {}) {
  const engine = new TheusEngine({
    domain: { goal: null, frontier: [], visited: [], found: null, report: null },
    global: { maxVisits, startPage },
  });
  await engine.scanAndRegister(file('./processes'));
  return engine;
}

/**
 * Starts the state machine, gives it a goal and waits until it reaches a final state.
 * `onEvent(topic, payload)` sees every signal the agent emits, as it happens.
 */
export async function runAgent(engine, goal, { onEvent } = {}) {
  const unsubscribe = onEvent === undefined ? () => {} : engine.signals.subscribe('*', (message) => onEvent(message.topic, message.payload));
  try {
    const machine = engine.orchestrate(file('../workflows/agent.yaml'));
    // The goal's commit publishes the `goal` signal, which moves the machine from IDLE to SEARCHING.
    try {
      await engine.execute('receiveGoal', { goal });
    } catch (error) {
      await machine.stop();
      throw error;
    }
    const result = await machine.done;
    return { state: result.state, history: result.history.map((t) => `${t.from} -> ${t.to} (${t.event})`), report: engine.state.domain.report };
  } finally {
    unsubscribe();
  }
}
