// The debug adapter's public surface: the session class (run inline by the extension with
// `new HyperstepSession(host)`) and the Node host it usually runs with.
export { HyperstepSession } from './session';
export { nodeHost } from './node-host';
