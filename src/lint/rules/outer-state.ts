import type { ProcessRule } from '../process-context.js';

/** E04: assignments and mutations of variables declared outside the process. */
export const outerStateRule: ProcessRule = (context, report) => {
  for (const write of context.facts?.outerWrites ?? []) {
    const what = write.how === 'assignment' ? 'assigns' : `mutates (${write.how})`;
    report('POP-E04', write.node, `Process '${context.displayName}' ${what} '${write.name}', which is declared outside it.`);
  }
};
