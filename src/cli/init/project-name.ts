import { builtinModules } from 'node:module';

const MAX_LENGTH = 214;
const RESERVED = new Set(['node_modules', 'favicon.ico', 'theus']);
const CORE_MODULES = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

/**
 * Why `name` cannot be a new project's directory and npm package name, or undefined when it can. The rules are npm's
 * (validate-npm-package-name, for new packages) plus ours: the name is also the directory `init` creates, so no path
 * separators and no scope; and a project named `theus` could not depend on theus.
 */
export function projectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.trim() !== name) return 'it starts or ends with whitespace';
  if (name.includes('/') || name.includes('\\')) return 'it contains a path separator (init creates ./<name>; scoped names are not supported)';
  if (name.includes('..')) return "it contains '..'";
  if (name.length > MAX_LENGTH) return `it is longer than ${MAX_LENGTH} characters`;
  if (name.startsWith('.') || name.startsWith('_')) return "npm package names cannot start with '.' or '_'";
  if (name.toLowerCase() !== name) return 'npm package names must be lowercase';
  if (/[~'!()*]/.test(name)) return "npm package names cannot contain ~ ' ! ( ) *";
  if (encodeURIComponent(name) !== name) return 'npm package names may only contain URL-safe characters (letters, digits, - . _)';
  if (name === 'theus') return 'a project named theus could not depend on the theus package';
  if (RESERVED.has(name)) return `'${name}' is a reserved name`;
  if (CORE_MODULES.has(name)) return `'${name}' is a Node.js core module name`;
  return undefined;
}
