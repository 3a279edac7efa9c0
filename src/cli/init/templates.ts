import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TheusError } from '../../errors.js';

export const TEMPLATE_NAMES = ['minimal', 'standard', 'ecommerce', 'parallel', 'agent'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];
export const DEFAULT_TEMPLATE: TemplateName = 'standard';

export const TEMPLATE_DESCRIPTIONS: Readonly<Record<TemplateName, string>> = {
  minimal: 'one process, one test',
  standard: 'context, processes, a workflow, an audit recipe, tests',
  ecommerce: 'orders -> payment -> invoice with audit rules and a workflow',
  parallel: 'heavy zone (shared memory) and worker-thread processes',
  agent: 'an event-driven loop on the signal hub and the orchestrator',
};

/**
 * `templates/` at the package root. This file sits three levels below the root both as source (`src/cli/init/`) and
 * compiled (`dist/cli/init/`), so one relative URL serves the tests and the installed binary.
 */
export function templatesRoot(): string {
  return fileURLToPath(new URL('../../../templates/', import.meta.url));
}

/**
 * npm drops dot-files such as `.gitignore` from published packages, so templates store them without the dot
 * (`gitignore`) and `init` restores it.
 */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' };

export interface TemplateFile {
  /** Path inside the generated project, with `/` separators. */
  target: string;
  content: string;
}

export interface TemplateValues {
  name: string;
  /** The version range generated projects depend on (`^0.1.0`). */
  theusRange: string;
}

async function walk(root: string, relative: string, out: string[]): Promise<void> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') await walk(root, child, out);
    } else if (entry.isFile()) out.push(child);
  }
}

function targetName(relative: string): string {
  const parts = relative.split('/');
  const last = parts.pop() as string;
  return [...parts, RENAMED[last] ?? last].join('/');
}

/** Placeholders are `{{name}}` and `{{theusRange}}`; templates use no other `{{…}}`. */
function render(text: string, values: TemplateValues): string {
  return text.replaceAll('{{name}}', values.name).replaceAll('{{theusRange}}', values.theusRange);
}

/** The files of a template, rendered for a project. */
export async function renderTemplate(template: TemplateName, values: TemplateValues): Promise<TemplateFile[]> {
  const root = path.join(templatesRoot(), template);
  const files: string[] = [];
  try {
    await walk(root, '', files);
  } catch (error) {
    throw new TheusError('TEMPLATE_MISSING', `The '${template}' template is missing from this theus installation (looked in ${root}). Reinstall theus.`, { cause: error });
  }
  if (files.length === 0) throw new TheusError('TEMPLATE_MISSING', `The '${template}' template in ${root} is empty. Reinstall theus.`);
  return Promise.all(files.map(async (file) => ({ target: targetName(file), content: render(await readFile(path.join(root, file), 'utf8'), values) })));
}
