#!/usr/bin/env node
// `npm run test:faults [-- --full]`: the fault suite (test/faults) against the real services, at
// the bounded size CI runs, or with --full at the sizes of the issue (1M records, minutes of kills).
// Each scenario prints one line of figures and appends it to test/faults/.last-run.txt.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const full = args.includes('--full');
const rest = args.filter((arg) => arg !== '--full');
const result = spawnSync(
  process.execPath,
  ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js', '--selectProjects', 'faults', '--runInBand', ...rest],
  { stdio: 'inherit', env: { ...process.env, ...(full ? { SLUICE_FAULTS: 'full' } : {}) } },
);
process.exit(result.status ?? 1);
