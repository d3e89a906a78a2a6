// Language server entry point (`dist/languageServer.js`). The server comes with its issue; until
// then this entry point says so on stderr and exits non-zero.
process.stderr.write('hyperstep: the language server is not built yet\n');
process.exitCode = 1;
