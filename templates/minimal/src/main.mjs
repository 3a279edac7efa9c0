import { TheusEngine } from 'theus';
import { increment } from './counter.mjs';

const engine = new TheusEngine({ domain: { counter: 0 } });
engine.register(increment);

for (const by of [1, 2, 3]) {
  const counter = await engine.execute('increment', { by });
  console.log(`increment by ${by} -> counter = ${counter} (state version ${engine.state.version})`);
}

// A call that throws rolls its transaction back: the state does not move.
try {
  await engine.execute('increment', { by: -5 });
} catch (error) {
  console.log(`increment by -5 rejected: ${error.message}`);
}
console.log(`final counter = ${engine.state.domain.counter} at version ${engine.state.version}`);

await engine.close();
