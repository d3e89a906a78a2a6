// The version `hyperstep --version` prints. Kept here rather than read from package.json (src/ does
// not import files outside it: test/architecture.test.ts); test/cli/version.test.ts holds the two equal.
export const VERSION = '0.1.0';
