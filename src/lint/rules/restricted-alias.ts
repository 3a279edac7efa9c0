import { displayPath } from '../contract-path.js';
import type { ProcessRule } from '../process-context.js';

/** E08: a restricted field bound to a local name that no longer shows its zone. */
export const restrictedAliasRule: ProcessRule = (context, report) => {
  for (const alias of context.facts?.restrictedAliases ?? []) {
    report(
      'POP-E08',
      alias.node,
      `'${alias.name}' aliases the restricted field '${displayPath(alias.path)}' without its '${alias.prefix}' prefix.`,
      `Name it ${alias.prefix}${alias.name} (or keep the field name) so readers see its zone rules.`,
    );
  }
};
