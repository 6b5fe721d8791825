/** The `lgsp` command line (docs/protocol.md §8): parses and runs; the commands are in program.ts. */
import { CatalogError } from '../gateway/catalog/load.ts';
import { buildProgram } from './program.ts';

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = buildProgram();

try {
  await program.parseAsync();
} catch (err) {
  const message = err instanceof CatalogError ? `catalog: ${err.message}` : (err as Error).message;
  process.stderr.write(`lgsp: ${message}\n`);
  process.exitCode = 1;
}
