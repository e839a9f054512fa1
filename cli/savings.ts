/**
 * Process entry of the savings admin CLI (`npx savings …`, `npm run savings -- …`): runs cli/program.ts on the
 * process's arguments and environment and exits with its code (0 done, 2 refused input, 1 failed — see
 * `savings --help`). Connection settings: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE.
 */
import { runSavings } from './program';

void runSavings(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
