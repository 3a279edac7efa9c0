import { declaresSideEffect } from '../io-catalog.js';
import type { ProcessRule } from '../process-context.js';

/**
 * E01 console output, E02 file/subprocess and E03 network I/O in effect/guide processes (unless declared in
 * sideEffects), T03 any I/O in a pure process (declarations do not help), T04 non-determinism in a pure process.
 */
export const ioRules: ProcessRule = (context, report) => {
  const { facts, semantic, sideEffects, displayName: name } = context;
  if (facts === undefined) return;
  const pure = semantic === 'pure';
  for (const use of facts.io) {
    switch (use.category) {
      case 'console':
        if (!declaresSideEffect(sideEffects, 'console')) report('POP-E01', use.node, `'${use.what}' in process '${name}' writes output outside the transaction.`);
        break;
      case 'file':
      case 'subprocess':
        if (pure) report('POP-T03', use.node, `Pure process '${name}' performs I/O: '${use.what}'.`);
        else if (!declaresSideEffect(sideEffects, use.category)) {
          const kind = use.category === 'file' ? 'file' : 'subprocess';
          report('POP-E02', use.node, `'${use.what}' in process '${name}' does ${kind} I/O that its sideEffects do not declare.`, `Move it out of the process (do it after execute() resolves, or from a signal subscriber) or declare it: sideEffects: ['${kind === 'file' ? 'fs' : 'child_process'}'].`);
        }
        break;
      case 'network':
        if (pure) report('POP-T03', use.node, `Pure process '${name}' performs I/O: '${use.what}'.`);
        else if (!declaresSideEffect(sideEffects, 'network')) report('POP-E03', use.node, `'${use.what}' in process '${name}' makes a network call that its sideEffects do not declare.`);
        break;
      case 'timer':
      case 'module-load':
        if (pure) report('POP-T03', use.node, `Pure process '${name}' ${use.category === 'timer' ? 'schedules work' : 'loads a module'}: '${use.what}'.`);
        break;
      case 'nondeterminism':
        if (pure) report('POP-T04', use.node, `Pure process '${name}' depends on '${use.what}', which differs from run to run.`);
        break;
    }
  }
};
