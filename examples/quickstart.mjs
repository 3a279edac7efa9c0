// The README's quick start, as a runnable file: `npm run build && node examples/quickstart.mjs`.
import { TheusEngine, defineProcess } from '../dist/index.js';

export const transfer = defineProcess(
  { inputs: ['domain.accounts'], outputs: ['domain.accounts'], semantic: 'effect', errors: ['RangeError'] },
  (ctx, args) => {
    if (args.amount <= 0) throw new RangeError('amount must be positive');
    ctx.domain.accounts[args.from] -= args.amount;
    ctx.domain.accounts[args.to] = (ctx.domain.accounts[args.to] ?? 0) + args.amount;
  },
);

const engine = new TheusEngine({ domain: { accounts: { alice: 100 } } });
engine.register(transfer); // name defaults to the variable: 'transfer'
await engine.execute('transfer', { from: 'alice', to: 'bob', amount: 5 });
console.log(engine.state.version, engine.state.domain.accounts); // 1 { alice: 95, bob: 5 }
await engine.execute(transfer, { from: 'alice', to: 'bob', amount: -1 }).catch((e) => e); // RangeError, nothing committed
console.log(engine.metrics().commits, engine.metrics().rollbacks); // 1 1
await engine.close();
