import { Worker } from 'node:worker_threads';
import { OutputTimeline, type TimelineSamples } from './output-timeline.js';

export interface WatchRequest {
  /** The file a sink appends lines to (it may not exist yet). */
  readonly path: string;
  /** Byte offset lines are counted from (what was in the file before the measurement). */
  readonly fromOffset: number;
  /** The watch ends once this many lines were appended past `fromOffset`. */
  readonly targetLines: number;
  /** Poll interval, ms: the resolution of the times in the timeline. */
  readonly pollMs: number;
  readonly timeoutMs: number;
}

export type WatchMessage =
  | { readonly kind: 'done'; readonly lines: number; readonly samples: TimelineSamples }
  | { readonly kind: 'timeout'; readonly lines: number }
  | { readonly kind: 'stopped'; readonly lines: number }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Watches a sink's output file from a worker thread until it holds `targetLines` new lines, and
 * gives the timeline of when each line appeared (see {@link OutputTimeline}): the moment the last
 * record was stored is the end of a throughput measurement, and per line it is the end of that
 * record's end-to-end latency.
 */
export class OutputFileWatcher {
  /** Resolves with the timeline once the target is reached; rejects on timeout, error or stop. */
  readonly result: Promise<OutputTimeline>;
  private readonly worker: Worker;
  private settled = false;

  private constructor(readonly request: WatchRequest) {
    this.worker = new Worker(new URL('./output-file-watcher.worker.js', import.meta.url), { workerData: request });
    this.result = new Promise<OutputTimeline>((resolve, reject) => {
      this.worker.once('message', (message: WatchMessage) => {
        this.settled = true;
        void this.worker.terminate();
        if (message.kind === 'done') return resolve(new OutputTimeline(message.samples));
        if (message.kind === 'error') return reject(new Error(`watching ${request.path}: ${message.message}`));
        reject(new Error(`${request.path}: ${message.lines} of ${request.targetLines} lines ${message.kind === 'timeout' ? `after ${request.timeoutMs / 1000} s` : 'when the watch was stopped'}`));
      });
      this.worker.once('error', (error) => {
        this.settled = true;
        reject(error);
      });
    });
    // Callers may stop a watch they never awaited (a failed start): never an unhandled rejection.
    this.result.catch(() => undefined);
  }

  static start(request: WatchRequest): OutputFileWatcher {
    return new OutputFileWatcher(request);
  }

  /** Ends the watch (if still running) and its thread. */
  async stop(): Promise<void> {
    if (!this.settled) this.worker.postMessage('stop');
    await this.result.catch(() => undefined);
  }
}
