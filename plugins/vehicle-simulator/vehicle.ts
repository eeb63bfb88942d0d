import { round, type LatLon } from './geo.js';
import { RouteCursor } from './route-cursor.js';
import type { RoutePlanner } from './route-planner.js';
import type { SeededRandom } from './seeded-random.js';
import type { VehicleSimulatorConfig } from './vehicle-simulator.config.js';

export type TripStatus = 'started' | 'moving' | 'stopped' | 'finished';

/** One report of one vehicle, before it becomes a record. */
export interface VehicleEvent {
  readonly vehicleId: string;
  readonly tripId: string;
  readonly status: TripStatus;
  /** Decimal degrees, 6 decimals (~0.1 m). */
  readonly lat: number;
  readonly lon: number;
  /** km/h, 1 decimal; 0 when started, stopped or finished. */
  readonly speed: number;
  /** Degrees clockwise from north, [0, 360), 1 decimal. */
  readonly heading: number;
  /** Simulated time, epoch ms. */
  readonly time: number;
}

export type VehicleSettings = Pick<
  VehicleSimulatorConfig,
  'tickMs' | 'tripsPerVehicle' | 'minSpeedKmh' | 'maxSpeedKmh' | 'stopProbability' | 'minStopSeconds' | 'maxStopSeconds' | 'minPauseSeconds' | 'maxPauseSeconds'
>;

/** Speed varies around the trip's cruising speed by this share from one tick to the next. */
const SPEED_VARIATION = 0.15;
/** The first trip of each vehicle starts within this many ticks of the simulation start. */
const START_SPREAD_TICKS = 10;

/**
 * One simulated vehicle: a state machine that, each time it is due (`nextTime`), reports one event
 * and schedules the next. A trip is `started`, then `moving` (and now and then `stopped` for a
 * while), then `finished`; after a pause the next trip starts where the last one ended.
 */
export class Vehicle {
  /** Simulated time (epoch ms) of this vehicle's next event. */
  nextTime: number;
  /** True once the vehicle made all its trips. */
  done = false;
  private phase: 'idle' | 'driving' | 'stopped' = 'idle';
  private trips = 0;
  private tripId = '';
  private cursor?: RouteCursor;
  private cruiseKmh = 0;
  private stopUntil = 0;
  private lastPosition?: LatLon;

  constructor(
    readonly index: number,
    readonly id: string,
    startTime: number,
    private readonly settings: VehicleSettings,
    private readonly planner: RoutePlanner,
    private readonly random: SeededRandom,
  ) {
    this.nextTime = startTime + Math.floor(random.float() * START_SPREAD_TICKS * settings.tickMs);
  }

  /** The event due at `nextTime`; moves `nextTime` on (or sets `done`). */
  emit(): VehicleEvent {
    const time = this.nextTime;
    const tick = this.settings.tickMs;
    if (this.phase === 'idle') return this.startTrip(time);
    if (this.phase === 'stopped') {
      if (time < this.stopUntil) {
        this.nextTime = time + tick;
        return this.event('stopped', time, 0);
      }
      this.phase = 'driving';
      return this.drive(time);
    }
    if (this.random.chance(this.settings.stopProbability)) {
      const seconds = this.random.between(this.settings.minStopSeconds, this.settings.maxStopSeconds);
      this.phase = 'stopped';
      this.stopUntil = time + Math.round(seconds * 1000);
      this.nextTime = time + tick;
      return this.event('stopped', time, 0);
    }
    return this.drive(time);
  }

  private startTrip(time: number): VehicleEvent {
    const points = this.planner.plan(this.index, this.trips, this.lastPosition, this.random);
    this.trips++;
    this.tripId = `${this.id}-T${String(this.trips).padStart(4, '0')}`;
    this.cursor = new RouteCursor(points);
    this.cruiseKmh = this.random.between(this.settings.minSpeedKmh, this.settings.maxSpeedKmh);
    this.phase = 'driving';
    this.nextTime = time + this.settings.tickMs;
    return this.event('started', time, 0);
  }

  private drive(time: number): VehicleEvent {
    const cursor = this.cursor as RouteCursor;
    const speed = this.cruiseKmh * this.random.between(1 - SPEED_VARIATION, 1 + SPEED_VARIATION);
    cursor.advance((speed * this.settings.tickMs) / 3_600_000);
    if (!cursor.arrived) {
      this.nextTime = time + this.settings.tickMs;
      return this.event('moving', time, speed);
    }
    const finished = this.event('finished', time, 0);
    this.lastPosition = cursor.position;
    this.phase = 'idle';
    if (this.settings.tripsPerVehicle !== undefined && this.trips >= this.settings.tripsPerVehicle) {
      this.done = true;
    } else {
      const pause = this.random.between(this.settings.minPauseSeconds, this.settings.maxPauseSeconds);
      this.nextTime = time + Math.max(this.settings.tickMs, Math.round(pause * 1000));
    }
    return finished;
  }

  private event(status: TripStatus, time: number, speed: number): VehicleEvent {
    const cursor = this.cursor as RouteCursor;
    const [lat, lon] = cursor.position;
    return {
      vehicleId: this.id,
      tripId: this.tripId,
      status,
      lat: round(lat, 6),
      lon: round(lon, 6),
      speed: round(speed, 1),
      heading: round(cursor.heading, 1) % 360,
      time,
    };
  }
}
