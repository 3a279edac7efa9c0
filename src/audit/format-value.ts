/** A short, single-line rendering of a checked value for messages and logs (strings quoted like the original). */
export function formatValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = `'${value}'`;
  else if (typeof value === 'bigint') text = `${value}n`;
  else if (value === null || typeof value !== 'object') text = String(value);
  else if (Array.isArray(value)) text = `[array of ${value.length}]`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
