// Builds Sluice: the SDK package first (libs/sdk/dist, what external plugins resolve as
// `@sluice/sdk`), then everything else into dist/. Plain `tsc`, no bundler: the output keeps the
// source tree's shape, so `dist/plugins/<name>/index.js` is what the plugin loader discovers.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const run = (project) => execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
rmSync('libs/sdk/dist', { recursive: true, force: true });
rmSync('libs/kafka/dist', { recursive: true, force: true });
run('libs/sdk/tsconfig.build.json');
run('libs/kafka/tsconfig.build.json');
run('tsconfig.build.json');
