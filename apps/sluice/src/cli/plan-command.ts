import { resolve } from 'node:path';
import { loadConfig, planPipeline, type PipelinePlan, type PlannedStage } from '#runtime';
import { reportConfigError } from './report-config-error.js';

const label = (stage: PlannedStage) => `${stage.stage} (${stage.plugin})`;

/**
 * A plan in words: each run of fused stages on one line, channels between them, e.g.
 * `  orders: generator => [stage-1, scale-out] => validate -> map -> sql`; a pipeline with routes
 * ends in its fan-out, and each route follows on a line of its own (its stages run in-line).
 */
export function describePlan(plan: PipelinePlan): string {
  const parts: string[] = [];
  const routes = new Map<string, PlannedStage[]>();
  for (const stage of plan.stages) {
    if (stage.route !== undefined) {
      routes.set(stage.route, [...(routes.get(stage.route) ?? []), stage]);
      continue;
    }
    if (stage.input !== null) {
      const channel = plan.channels.find((c) => c.name === stage.input)!;
      parts.push(`=> [${channel.name} (${channel.reason})] =>`);
    } else if (parts.length > 0) parts.push('->');
    parts.push(label(stage));
  }
  const fused = plan.channels.length === 0 ? 'one fused chain, no channel' : `${plan.channels.length} channel(s), ${plan.channels.length + 1} fused segment(s)`;
  const routeLines = [...routes].map(([route, stages]) => `\n      route ${route}: ${stages.map(label).join(' -> ')}`);
  return `  ${plan.pipeline}: ${fused}\n    ${parts.join(' ')}${routeLines.join('')}`;
}

/**
 * `sluice plan <config> [--json]`: the stages and channels each pipeline becomes on the config's
 * transport (or another one: `--transport kafka`), without starting anything. `->` is an in-line
 * call inside a fused chain, `=> [channel] =>` a channel (a Kafka topic).
 */
export async function planCommand(configPath: string, options: { json?: boolean; transport?: string }): Promise<number> {
  let config;
  try {
    config = await loadConfig(resolve(configPath));
  } catch (error) {
    return reportConfigError(error);
  }
  const transport = options.transport ?? config.transport.kind;
  if (transport !== 'embedded' && transport !== 'kafka') {
    process.stderr.write(`--transport must be embedded or kafka, not "${transport}"\n`);
    return 2;
  }
  const plans = config.pipelines.map((pipeline) => planPipeline(pipeline, transport));
  if (options.json) process.stdout.write(`${JSON.stringify({ transport, pipelines: plans }, null, 2)}\n`);
  else process.stdout.write(`${configPath}: ${plans.length} pipeline(s) on the ${transport} transport\n${plans.map(describePlan).join('\n')}\n`);
  return 0;
}
