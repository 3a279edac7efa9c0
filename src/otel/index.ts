export { instrumentTheus, type InstrumentTheusOptions } from './instrument.js';
export { injectTraceContext, extractTraceContext, runWithTraceContext } from './carrier.js';
export { captureTraceCarrier, runInTraceCarrier, type TraceCarrier } from './trace-hook.js';
