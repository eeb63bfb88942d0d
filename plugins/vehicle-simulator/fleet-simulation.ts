import { RoutePlanner } from './route-planner.js';
import { SeededRandom } from './seeded-random.js';
import { Vehicle, type VehicleEvent } from './vehicle.js';
import type { VehicleSimulatorConfig } from './vehicle-simulator.config.js';

/**
 * The whole fleet on one simulated clock. `next()` returns the events of all vehicles in time order
 * (ties: lower vehicle number first), so the sequence is a pure function of the config and seed.
 */
export class FleetSimulation {
  /** Vehicles still driving, as a binary min-heap on (nextTime, index). */
  private readonly heap: Vehicle[];

  constructor(config: VehicleSimulatorConfig) {
    const planner = new RoutePlanner(config);
    const streams = SeededRandom.streams(config.seed, config.vehicles);
    const width = Math.max(3, String(config.vehicles).length);
    const start = Date.parse(config.startTime);
    this.heap = streams.map((random, index) => new Vehicle(index, `${config.vehiclePrefix}${String(index + 1).padStart(width, '0')}`, start, config, planner, random));
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  /** The next event of the fleet, or null once every vehicle made all its trips. */
  next(): VehicleEvent | null {
    const heap = this.heap;
    if (heap.length === 0) return null;
    const vehicle = heap[0];
    const event = vehicle.emit();
    if (vehicle.done) {
      const last = heap.pop() as Vehicle;
      if (heap.length > 0) heap[0] = last;
    }
    if (heap.length > 0) this.siftDown(0);
    return event;
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const n = heap.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && before(heap[left], heap[smallest])) smallest = left;
      if (right < n && before(heap[right], heap[smallest])) smallest = right;
      if (smallest === i) return;
      const swap = heap[i];
      heap[i] = heap[smallest];
      heap[smallest] = swap;
      i = smallest;
    }
  }
}

function before(a: Vehicle, b: Vehicle): boolean {
  return a.nextTime < b.nextTime || (a.nextTime === b.nextTime && a.index < b.index);
}
