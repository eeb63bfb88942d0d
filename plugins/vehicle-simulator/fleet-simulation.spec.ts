import { describe, expect, it } from '@jest/globals';
import { validateConfig } from '@sluice/sdk';
import { FleetSimulation } from './fleet-simulation.js';
import { VehicleSimulatorConfig } from './vehicle-simulator.config.js';
import type { VehicleEvent } from './vehicle.js';

function simulate(raw: Record<string, unknown>, limit: number): VehicleEvent[] {
  const { config, issues } = validateConfig(VehicleSimulatorConfig, raw);
  expect(issues).toEqual([]);
  const simulation = new FleetSimulation(config);
  const events: VehicleEvent[] = [];
  for (let event = simulation.next(); event !== null && events.length < limit; event = simulation.next()) events.push(event);
  return events;
}

describe('FleetSimulation', () => {
  it('orders the events of many vehicles by time, then by vehicle number', () => {
    const events = simulate({ vehicles: 40, tickMs: 500, seed: 5 }, 5000);
    const unordered = events.filter((e, i) => i > 0 && (e.time < events[i - 1].time || (e.time === events[i - 1].time && e.vehicleId <= events[i - 1].vehicleId)));
    expect(unordered).toEqual([]);
    expect(new Set(events.map((e) => e.vehicleId)).size).toBe(40);
    expect(events.some((e, i) => i > 0 && e.time === events[i - 1].time)).toBe(true); // ties do happen and are ordered
  });

  it('names vehicles with the prefix and at least three digits', () => {
    expect(new Set(simulate({ vehicles: 2, vehiclePrefix: 'BUS-' }, 200).map((e) => e.vehicleId))).toEqual(new Set(['BUS-001', 'BUS-002']));
    const ids = new Set(simulate({ vehicles: 1200 }, 5000).map((e) => e.vehicleId));
    expect([...ids].every((id) => /^V\d{4}$/.test(id))).toBe(true);
    expect(ids.has('V0001')).toBe(true);
  });

  it('ends once every vehicle finished its trips', () => {
    const events = simulate({ vehicles: 3, tripsPerVehicle: 1, stopProbability: 0 }, Number.POSITIVE_INFINITY);
    expect(events.filter((e) => e.status === 'finished').map((e) => e.vehicleId).sort()).toEqual(['V001', 'V002', 'V003']);
    expect(events.filter((e) => e.status === 'started')).toHaveLength(3);
  });
});
