export { startInspector, type Inspector } from './start.js';
export { attachInspector, type AttachedInspector } from './attach.js';
export { resolveInspectorOptions, type InspectorOptions } from './options.js';
export { InspectorError } from './errors.js';
export { ENGINE_CHANNEL, type InspectableEngine } from './recorder.js';
export { runInspect, preloadUrl, type InspectCommandOptions } from './cli-inspect.js';
export { registerInspectCommand } from './cli-command.js';
