import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HarnessOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/** How `services.sh up kafka|cassandra` found the service: started now, already started by the harness, or external. */
export type KafkaUpState = 'started' | 'running' | 'external';
export type ServiceUpState = KafkaUpState;

const TAIL_LINES = 40;
const MAIN_CLASS = {
  kafka: 'kafka.Kafka',
  connect: 'org.apache.kafka.connect.cli.ConnectStandalone',
  cassandra: 'org.apache.cassandra.service.CassandraDaemon',
} as const;

/**
 * The bench's handle on services/services.sh (Kafka, Kafka Connect standalone, Kafka's perf tools, Cassandra):
 * runs its commands with the bench's environment, and reads the pid files it keeps.
 */
export class ServicesHarness {
  readonly script: string;
  readonly servicesDir: string;

  constructor(
    readonly root: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.script = join(root, 'services', 'services.sh');
    this.servicesDir = env.SERVICES_DIR?.trim() || join(root, '.services');
  }

  /** Runs `services.sh <args>`; rejects with the end of its stderr when it fails or times out. */
  run(args: readonly string[], timeoutMs = 600_000): Promise<HarnessOutput> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', [this.script, ...args], { cwd: this.root, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`services.sh ${args.join(' ')}: ${error.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve({ stdout, stderr });
        const tail = stderr.trim().split('\n').slice(-TAIL_LINES).join('\n');
        const why = signal ? `killed by ${signal}${signal === 'SIGTERM' ? ` after ${timeoutMs} ms` : ''}` : `exit code ${code}`;
        reject(new Error(`services.sh ${args.join(' ')} failed (${why}):\n${tail}`));
      });
    });
  }

  /** Does a Kafka broker answer at KAFKA_BROKERS (a real Metadata request, see services/probe.mjs)? */
  async kafkaAnswers(): Promise<boolean> {
    try {
      await this.run(['probe', 'kafka'], 30_000);
      return true;
    } catch {
      return false;
    }
  }

  /** `services.sh up kafka`: idempotent; says whether this call started the broker. */
  async upKafka(): Promise<KafkaUpState> {
    return this.up('kafka');
  }

  /** Does Cassandra answer CQL at CASSANDRA_CONTACT_POINTS (services/probe.mjs)? */
  async cassandraAnswers(): Promise<boolean> {
    try {
      await this.run(['probe', 'cassandra'], 30_000);
      return true;
    } catch {
      return false;
    }
  }

  /** `services.sh up cassandra`: idempotent; says whether this call started Cassandra. */
  async upCassandra(): Promise<ServiceUpState> {
    return this.up('cassandra');
  }

  private async up(service: 'kafka' | 'cassandra'): Promise<ServiceUpState> {
    const { stdout } = await this.run(['up', service]);
    const state = new RegExp(`^${service} (started|running|external)\\b`, 'm').exec(stdout)?.[1];
    if (!state) throw new Error(`services.sh up ${service}: unexpected answer ${JSON.stringify(stdout.trim())}`);
    return state as ServiceUpState;
  }

  /** Is the Kafka Connect standalone of the harness running (whoever started it)? */
  async connectRunning(): Promise<boolean> {
    const { stdout } = await this.run(['status'], 60_000);
    return /^connect\s+running\b/m.test(stdout);
  }

  /** `services.sh up connect`: returns once Connect logged "Kafka Connect started". */
  async upConnect(): Promise<void> {
    await this.run(['up', 'connect']);
  }

  async down(service: 'kafka' | 'connect' | 'cassandra'): Promise<void> {
    await this.run(['down', service]);
  }

  /**
   * The pid of the JVM the harness started for a service, or null (not started by the harness, gone,
   * or the pid file is stale: like services.sh, the process's command line must name the main class).
   */
  pidOf(service: keyof typeof MAIN_CLASS): number | null {
    try {
      const pid = Number(readFileSync(join(this.servicesDir, service, 'pid'), 'utf8').trim());
      if (!Number.isSafeInteger(pid) || pid <= 0) return null;
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return commandLine.includes(MAIN_CLASS[service]) ? pid : null;
    } catch {
      return null;
    }
  }

  /** Folder of the harness's Kafka Connect standalone (its input.txt, output.txt, connect.offsets). */
  get connectDir(): string {
    return join(this.servicesDir, 'connect');
  }
}
