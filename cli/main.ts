/** The `lgsp` command line (docs/protocol.md §8): parses and runs; the commands are in program.ts. */
import { CommanderError } from 'commander';
import { CatalogError } from '../gateway/catalog/load.ts';
import { buildProgram } from './program.ts';

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// A usage mistake (an unknown flag, a missing argument) exits 2, as a set-up that cannot run does;
// commander has said what was wrong already. Its help and version exit 0.
const program = buildProgram();

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    const message = err instanceof CatalogError ? `catalog: ${err.message}` : (err as Error).message;
    process.stderr.write(`lgsp: ${message}\n`);
    process.exitCode = 1;
  }
}
