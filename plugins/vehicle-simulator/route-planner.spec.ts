import { describe, expect, it } from '@jest/globals';
import { validateConfig } from '@sluice/sdk';
import { distanceKm } from './geo.js';
import { RoutePlanner } from './route-planner.js';
import { SeededRandom } from './seeded-random.js';
import { VehicleSimulatorConfig } from './vehicle-simulator.config.js';

function configOf(raw: Record<string, unknown>): VehicleSimulatorConfig {
  const { config, issues } = validateConfig(VehicleSimulatorConfig, raw);
  expect(issues).toEqual([]);
  return config;
}

describe('RoutePlanner', () => {
  it('rotates fixed routes by vehicle and trip', () => {
    const a = [[1, 1], [1, 2]];
    const b = [[2, 2], [2, 3]];
    const c = [[3, 3], [3, 4]];
    const planner = new RoutePlanner(configOf({ routes: [{ points: a }, { points: b }, { points: c }] }));
    const random = SeededRandom.streams(1, 1)[0];
    expect(planner.plan(0, 0, undefined, random)).toEqual(a);
    expect(planner.plan(0, 1, [9, 9], random)).toEqual(b);
    expect(planner.plan(1, 0, undefined, random)).toEqual(b);
    expect(planner.plan(2, 2, undefined, random)).toEqual(b);
  });

  it('generates routes in the area, with routePoints points, from where the vehicle is', () => {
    const config = configOf({ center: { lat: 45.76, lon: 4.83 }, radiusKm: 3, routePoints: 7 });
    const planner = new RoutePlanner(config);
    const random = SeededRandom.streams(5, 1)[0];
    let from: readonly [number, number] | undefined;
    for (let trip = 0; trip < 50; trip++) {
      const route = planner.plan(0, trip, from, random);
      expect(route).toHaveLength(7);
      if (from) expect(route[0]).toEqual(from);
      // Ends lie in the disc; detours stay within 15% of a trip (at most one diameter) more.
      expect(distanceKm([45.76, 4.83], route[6])).toBeLessThanOrEqual(3.0001);
      for (const point of route) expect(distanceKm([45.76, 4.83], point)).toBeLessThanOrEqual(3 + 0.15 * 6 * Math.SQRT2 + 0.001);
      from = route[6] as [number, number];
    }
  });

  it('generates the same routes from the same stream', () => {
    const planner = new RoutePlanner(configOf({}));
    const [a] = SeededRandom.streams(8, 1);
    const [b] = SeededRandom.streams(8, 1);
    expect(planner.plan(0, 0, undefined, a)).toEqual(planner.plan(0, 0, undefined, b));
    const [c] = SeededRandom.streams(9, 1);
    expect(planner.plan(0, 0, undefined, c)).not.toEqual(planner.plan(0, 0, undefined, SeededRandom.streams(8, 1)[0]));
  });
});

describe('SeededRandom', () => {
  it('gives each vehicle its own reproducible stream', () => {
    const [a1, a2] = SeededRandom.streams(3, 2);
    const [b1] = SeededRandom.streams(3, 1);
    const draws = (r: SeededRandom) => Array.from({ length: 5 }, () => r.float());
    const first = draws(a1);
    expect(first).toEqual(draws(b1));
    expect(draws(a2)).not.toEqual(first);
    for (const x of first) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws in ranges and with probabilities', () => {
    const [r] = SeededRandom.streams(1, 1);
    for (let i = 0; i < 1000; i++) {
      const x = r.between(5, 7);
      expect(x >= 5 && x < 7).toBe(true);
    }
    expect(Array.from({ length: 100 }, () => r.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => r.chance(1)).every(Boolean)).toBe(true);
  });
});
