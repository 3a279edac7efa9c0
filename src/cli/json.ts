import { TheusError } from '../errors.js';

/** 1-based line and column of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

/** JSON.parse with the file name and, when Node reports an offset, the line and column in the error. */
export function parseJson(text: string, display: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position === null ? display : `${display}:${lineColumn(text, Number(position[1]))}`;
    throw new TheusError('INVALID_ARGUMENT', `${where}: invalid JSON: ${message}`, { path: display });
  }
}
