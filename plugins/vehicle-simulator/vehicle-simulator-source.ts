import type { Checkpoint, Source, SourceRecord, SourceStartContext } from '@sluice/sdk';
import { FleetSimulation } from './fleet-simulation.js';
import { monotonicClock, RatePacer, type Clock } from '@sluice/sdk';
import type { VehicleEvent } from './vehicle.js';
import type { VehicleSimulatorConfig } from './vehicle-simulator.config.js';

/** The single lane of the simulator; its offset is the event sequence number (0-based). */
export const EVENTS_LANE = 'events';

/** The record value of one event. */
export interface VehicleEventValue {
  /** Event sequence number over the whole fleet (= the position offset): a stable id for deduplication. */
  readonly seq: number;
  readonly vehicle_id: string;
  readonly trip_id: string;
  readonly status: VehicleEvent['status'];
  readonly lat: number;
  readonly lon: number;
  readonly speed: number;
  readonly heading: number;
  /** ISO 8601 UTC with milliseconds. */
  readonly ts: string;
}

/** Where a run starts: right after the committed event, or at 0. */
export function firstEvent(checkpoint: Checkpoint): number {
  const committed = checkpoint[EVENTS_LANE];
  if (committed === undefined) return 0;
  if (typeof committed !== 'number' || !Number.isSafeInteger(committed) || committed < 0) {
    throw new Error(`vehicle-simulator: checkpoint lane "${EVENTS_LANE}" holds ${JSON.stringify(committed)}, expected an event sequence number (integer ≥ 0)`);
  }
  return committed + 1;
}

/**
 * Emits the events of a {@link FleetSimulation} as records keyed by vehicle id. A restart replays
 * the simulation silently up to the checkpoint (about a million events per second), then goes on.
 */
export class VehicleSimulatorSource implements Source {
  private simulation?: FleetSimulation;
  private readonly pacer: RatePacer;
  private sequence = 0;
  private exhausted = false;

  constructor(
    private readonly config: VehicleSimulatorConfig,
    clock: Clock = monotonicClock,
  ) {
    this.pacer = new RatePacer(config.rate, config.batchSize, clock);
  }

  async start(context: SourceStartContext): Promise<void> {
    const first = firstEvent(context.checkpoint);
    const simulation = new FleetSimulation(this.config);
    this.exhausted = false;
    for (let skipped = 0; skipped < first; skipped++) {
      if (simulation.next() === null) {
        this.exhausted = true;
        break;
      }
    }
    this.simulation = simulation;
    this.sequence = first;
  }

  async read(signal: AbortSignal): Promise<SourceRecord[] | null> {
    const simulation = this.simulation;
    if (!simulation) throw new Error('vehicle-simulator: read() before start()');
    const remaining = this.config.maxEvents === undefined ? Number.POSITIVE_INFINITY : this.config.maxEvents - this.sequence;
    if (this.exhausted || remaining <= 0) return null;
    const size = await this.pacer.allowance(remaining, signal);
    if (size === 0) return [];
    const batch: SourceRecord[] = [];
    for (let i = 0; i < size; i++) {
      const event = simulation.next();
      if (event === null) {
        this.exhausted = true;
        break;
      }
      batch.push(this.toRecord(event, this.sequence++));
    }
    return batch.length === 0 && this.exhausted ? null : batch;
  }

  async stop(): Promise<void> {
    this.simulation = undefined;
  }

  private toRecord(event: VehicleEvent, seq: number): SourceRecord<VehicleEventValue> {
    const time = this.config.timestamps === 'wall' ? Date.now() : event.time;
    return {
      key: event.vehicleId,
      value: {
        seq,
        vehicle_id: event.vehicleId,
        trip_id: event.tripId,
        status: event.status,
        lat: event.lat,
        lon: event.lon,
        speed: event.speed,
        heading: event.heading,
        ts: new Date(time).toISOString(),
      },
      timestamp: time,
      position: { lane: EVENTS_LANE, offset: seq },
    };
  }
}
