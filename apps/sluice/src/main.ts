#!/usr/bin/env node
import 'reflect-metadata';
import { Command } from 'commander';
import { planCommand } from './cli/plan-command.js';
import { pluginsCommand } from './cli/plugins-command.js';
import { runCommand } from './cli/run-command.js';
import { validateCommand } from './cli/validate-command.js';

const program = new Command()
  .name('sluice')
  .description('Plugin-based data connectors: sources -> transforms -> sinks, over Kafka or an embedded transport.')
  .showHelpAfterError();

program
  .command('run')
  .description('run the pipelines of a config file until SIGTERM/SIGINT (which drain them)')
  .argument('[config]', 'pipeline config file', 'config/sluice.yaml')
  .action(async (config: string) => {
    // runCommand returns only when the host could not start (it then stopped what it started);
    // exit even if a client library still holds a socket open.
    process.exit(await runCommand(config));
  });

program
  .command('validate')
  .description('check a config file; prints every problem as file:line path: message (exit 2)')
  .argument('<config>', 'pipeline config file')
  .action(async (config: string) => {
    process.exitCode = await validateCommand(config);
  });

program
  .command('plan')
  .description('print the stages and channels each pipeline becomes (stages between channels run fused)')
  .argument('<config>', 'pipeline config file')
  .option('--json', 'machine-readable output')
  .option('--transport <kind>', 'plan for this transport (embedded or kafka) instead of the config\'s')
  .action(async (config: string, options: { json?: boolean; transport?: string }) => {
    process.exitCode = await planCommand(config, options);
  });

program
  .command('plugins')
  .description('list the plugins with their config documentation')
  .option('--json', 'machine-readable output')
  .option('--markdown', 'Markdown reference (docs/plugins.md)')
  .option('--with <specifiers...>', 'also load these plugin packages or paths')
  .action(async (options: { json?: boolean; markdown?: boolean; with?: string[] }) => {
    process.exitCode = await pluginsCommand(options);
  });

await program.parseAsync(process.argv);
