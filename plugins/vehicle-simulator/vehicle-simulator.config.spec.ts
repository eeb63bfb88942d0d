import { describe, expect, it } from '@jest/globals';
import { describeConfig, runSource, validateConfig, type ConfigIssue } from '@sluice/sdk';
import simulator from './index.js';
import { VehicleSimulatorConfig } from './vehicle-simulator.config.js';

function issuesOf(raw: unknown): ConfigIssue[] {
  const { config, issues } = validateConfig(VehicleSimulatorConfig, raw);
  return issues.length > 0 ? issues : (simulator.validate?.(config, { configDir: process.cwd() }) ?? []);
}

const pathsOf = (raw: unknown) => issuesOf(raw).map((i) => i.path);

describe('vehicle-simulator config', () => {
  it('accepts an empty config with the documented defaults', () => {
    const { config, issues } = validateConfig(VehicleSimulatorConfig, {});
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ seed: 42, vehicles: 5, tickMs: 1000, rate: 0, timestamps: 'simulated', radiusKm: 5, batchSize: 500 });
    expect(config.center).toMatchObject({ lat: 48.8566, lon: 2.3522 });
    expect(config.maxEvents).toBeUndefined();
    expect(config.routes).toBeUndefined();
    expect(issuesOf({})).toEqual([]);
  });

  it('documents every field, nested ones included', () => {
    const docs = describeConfig(VehicleSimulatorConfig);
    for (const doc of docs) expect(doc.description.length).toBeGreaterThan(15);
    expect(docs.find((d) => d.name === 'center')?.fields?.map((f) => f.name)).toEqual(['lat', 'lon']);
    expect(docs.find((d) => d.name === 'routes')?.fields?.map((f) => f.name)).toEqual(['id', 'points']);
  });

  it.each([
    [{ vehicles: 0 }, 'vehicles'],
    [{ tickMs: 5 }, 'tickMs'],
    [{ rate: -1 }, 'rate'],
    [{ maxEvents: -1 }, 'maxEvents'],
    [{ tripsPerVehicle: 0 }, 'tripsPerVehicle'],
    [{ startTime: 'yesterday' }, 'startTime'],
    [{ timestamps: 'local' }, 'timestamps'],
    [{ center: { lat: 100, lon: 0 } }, 'center.lat'],
    [{ center: { lat: 10 } }, 'center.lon'],
    [{ radiusKm: 0 }, 'radiusKm'],
    [{ routePoints: 1 }, 'routePoints'],
    [{ stopProbability: 1.5 }, 'stopProbability'],
    [{ vehiclePrefix: 'a b' }, 'vehiclePrefix'],
    [{ routes: [] }, 'routes'],
    [{ routes: [{ points: [[1, 2]] }] }, 'routes[0].points'],
    [{ routes: [{ id: 'x' }] }, 'routes[0].points'],
    [{ routes: [{ points: [[1, 2], [3, 4]], colour: 'red' }] }, 'routes[0].colour'],
    [{ vehicle: 3 }, 'vehicle'],
  ])('rejects %j at path %s', (raw, path) => {
    expect(pathsOf(raw)).toContain(path);
  });

  it('requires ordered min/max ranges', () => {
    expect(issuesOf({ minSpeedKmh: 80, maxSpeedKmh: 50 })).toEqual([{ path: 'maxSpeedKmh', message: 'must be ≥ minSpeedKmh (80)' }]);
    expect(pathsOf({ minStopSeconds: 9, maxStopSeconds: 1 })).toEqual(['maxStopSeconds']);
    expect(pathsOf({ minPauseSeconds: 9, maxPauseSeconds: 1 })).toEqual(['maxPauseSeconds']);
  });

  it('checks each route point and names the route', () => {
    const issues = issuesOf({
      routes: [
        { id: 'ok', points: [[48.85, 2.35], [48.86, 2.36]] },
        { id: 'bad', points: [[48.85, 2.35], [48.86], ['a', 2], [91, 0], [0, 181]] },
      ],
    });
    expect(issues).toEqual([
      { path: 'routes[1].points[1]', message: 'must be a [lat, lon] pair of numbers (route "bad")' },
      { path: 'routes[1].points[2]', message: 'must be a [lat, lon] pair of numbers (route "bad")' },
      { path: 'routes[1].points[3][0]', message: 'latitude must be within -90..90 (route "bad")' },
      { path: 'routes[1].points[4][1]', message: 'longitude must be within -180..180 (route "bad")' },
    ]);
  });

  it('makes the harness refuse a bad config with the path in the message', async () => {
    await expect(runSource(simulator, { center: { lat: -95, lon: 0 } })).rejects.toThrow('center.lat');
  });
});
