import type { ProcessRule } from '../process-context.js';

/** E06: a pure process cannot write through ctx, so declared outputs are only written by returning a value. */
export const pureReturnRule: ProcessRule = (context, report) => {
  const { facts, semantic, declaration } = context;
  const outputs = declaration.contract?.outputs;
  if (semantic !== 'pure' || facts === undefined || facts.returnsValue || declaration.fn === undefined) return;
  if (outputs === undefined || outputs.entries.length === 0) return;
  const listed = outputs.entries.map((entry) => entry.text).join(', ');
  report('POP-E06', declaration.fn, `Pure process '${context.displayName}' declares outputs [${listed}] but never returns a value.`);
};
