import { Kafka, logLevel } from 'kafkajs';

/** Names a run created on the broker; each contender adds its own before creating them. */
export interface BrokerLeftovers {
  readonly topics: string[];
  readonly groups: string[];
}

function admin(brokers: string) {
  return new Kafka({ clientId: 'sluice-bench-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
}

/** The consumer groups the broker knows now (to find the ones a tool with random group ids created). */
export async function listGroupIds(brokers: string): Promise<Set<string>> {
  const client = admin(brokers);
  await client.connect();
  try {
    return new Set((await client.listGroups()).groups.map((g) => g.groupId));
  } finally {
    await client.disconnect();
  }
}

/**
 * Deletes the topics and consumer groups a bench run created (each run writes N × size bytes per
 * contender to the broker's disk). Only names the run owns are touched; ones already gone are fine.
 */
export async function deleteBenchTopicsAndGroups(brokers: string, topics: readonly string[], groups: readonly string[]): Promise<void> {
  if (topics.length === 0 && groups.length === 0) return;
  const client = admin(brokers);
  await client.connect();
  const problems: string[] = [];
  try {
    if (topics.length > 0) {
      try {
        const existing = new Set(await client.listTopics());
        const ours = topics.filter((t) => existing.has(t));
        if (ours.length > 0) await client.deleteTopics({ topics: ours, timeout: 30_000 });
      } catch (error) {
        problems.push(`topics ${topics.join(', ')}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (groups.length > 0) {
      try {
        const existing = new Set((await client.listGroups()).groups.map((g) => g.groupId));
        const ours = groups.filter((g) => existing.has(g));
        if (ours.length > 0) await client.deleteGroups(ours);
      } catch (error) {
        problems.push(`groups ${groups.join(', ')}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    await client.disconnect();
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}
