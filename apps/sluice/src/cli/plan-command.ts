import { resolve } from 'node:path';
import { loadConfig, planPipeline, type PipelinePlan, type PlannedStage } from '#runtime';
import { reportConfigError } from './report-config-error.js';

const label = (stage: PlannedStage) => `${stage.stage} (${stage.plugin})`;

/**
 * A plan in words: each run of fused stages on one line, channels between them, e.g.
 * `  orders: generator => [stage-1, scale-out] => validate -> map -> sql`; a pipeline with routes
 * ends in its fan-out, and each route follows on a line of its own (its stages run in-line, but
 * for a keyed-state transform on Kafka, behind its repartition channel).
 */
export function describePlan(plan: PipelinePlan): string {
  const routes = new Map<string, PlannedStage[]>();
  const main: PlannedStage[] = [];
  for (const stage of plan.stages) {
    if (stage.route === undefined) main.push(stage);
    else routes.set(stage.route, [...(routes.get(stage.route) ?? []), stage]);
  }
  // A stage fed by a channel follows `=> [channel (reason)] =>`, one called in-line follows `->`.
  const chain = (stages: readonly PlannedStage[], first: boolean) =>
    stages
      .map((stage, index) => {
        if (stage.input !== null) {
          const channel = plan.channels.find((c) => c.name === stage.input)!;
          return `=> [${channel.name} (${channel.reason})] => ${label(stage)}`;
        }
        return index === 0 && first ? label(stage) : `${index === 0 ? '' : '-> '}${label(stage)}`;
      })
      .join(' ');
  const fused = plan.channels.length === 0 ? 'one fused chain, no channel' : `${plan.channels.length} channel(s), ${plan.channels.length + 1} fused segment(s)`;
  const routeLines = [...routes].map(([route, stages]) => `\n      route ${route}: ${chain(stages, false)}`);
  return `  ${plan.pipeline}: ${fused}\n    ${chain(main, true)}${routeLines.join('')}`;
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
