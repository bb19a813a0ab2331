/** The `suyuan` command (`npx suyuan verify <export.json>`): see verify-command.ts. */
import { runVerify } from './verify-command.js';

const outcome = await runVerify(process.argv.slice(2));
for (const line of outcome.lines) {
  (outcome.code === 0 ? process.stdout : process.stderr).write(`${line}\n`);
}
process.exitCode = outcome.code;
