// Stand-alone debug adapter on stdio (`dist/debugAdapter.js`). The DAP session comes with its issue;
// until then this entry point says so on stderr and exits non-zero instead of pretending to work.
process.stderr.write('hyperstep: the debug adapter is not built yet\n');
process.exitCode = 1;
