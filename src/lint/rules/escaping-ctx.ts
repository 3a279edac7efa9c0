import type { ProcessRule } from '../process-context.js';

/** T05: ctx held by something that runs or lives after the transaction ends. */
export const escapingCtxRule: ProcessRule = (context, report) => {
  for (const escape of context.facts?.escapes ?? []) {
    report('POP-T05', escape.node, `ctx escapes process '${context.displayName}': ${escape.how}.`);
  }
};
