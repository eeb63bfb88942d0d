import { describe, expect, it } from '@jest/globals';
import { runSource, validateConfig, type SluiceRecord } from '@sluice/sdk';
import simulator from './index.js';
import { distanceKm } from './geo.js';
import { EVENTS_LANE, VehicleSimulatorSource, type VehicleEventValue } from './vehicle-simulator-source.js';
import { VehicleSimulatorConfig } from './vehicle-simulator.config.js';
import type { Clock } from '@sluice/sdk';

function configOf(raw: Record<string, unknown>): VehicleSimulatorConfig {
  const { config, issues } = validateConfig(VehicleSimulatorConfig, raw);
  expect(issues).toEqual([]);
  return config;
}

const valuesOf = (records: SluiceRecord[]) => records.map((r) => r.value as VehicleEventValue);

function byVehicle(events: VehicleEventValue[]): Map<string, VehicleEventValue[]> {
  const map = new Map<string, VehicleEventValue[]>();
  for (const e of events) {
    const list = map.get(e.vehicle_id);
    if (list) list.push(e);
    else map.set(e.vehicle_id, [e]);
  }
  return map;
}

const finite = { vehicles: 4, tripsPerVehicle: 2, seed: 3, stopProbability: 0.05, minPauseSeconds: 5, maxPauseSeconds: 20 };

describe('vehicle-simulator source', () => {
  it('emits the reference fields, keyed by vehicle, with the event time as record timestamp', async () => {
    const { records, positions } = await runSource(simulator, { ...finite }, { maxRecords: 50 });
    expect(records).toHaveLength(50);
    const first = records[0].value as VehicleEventValue;
    expect(Object.keys(first).sort()).toEqual(['heading', 'lat', 'lon', 'seq', 'speed', 'status', 'trip_id', 'ts', 'vehicle_id'].sort());
    for (const record of records) {
      const value = record.value as VehicleEventValue;
      expect(record.key).toBe(value.vehicle_id);
      expect(record.timestamp).toBe(Date.parse(value.ts));
      expect(value.ts).toBe(new Date(record.timestamp).toISOString());
      expect(value.vehicle_id).toMatch(/^V00[1-4]$/);
      expect(value.trip_id).toMatch(new RegExp(`^${value.vehicle_id}-T000[12]$`));
    }
    expect(positions.map((p) => p.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(positions.every((p) => p.lane === EVENTS_LANE)).toBe(true);
    expect(valuesOf(records).map((v) => v.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('runs every vehicle through its trips: started, moving/stopped, finished', async () => {
    const result = await runSource(simulator, { ...finite });
    expect(result.ended).toBe(true);
    const vehicles = byVehicle(valuesOf(result.records));
    expect([...vehicles.keys()].sort()).toEqual(['V001', 'V002', 'V003', 'V004']);
    let stops = 0;
    for (const [id, events] of vehicles) {
      const trips = [...new Set(events.map((e) => e.trip_id))];
      expect(trips).toEqual([`${id}-T0001`, `${id}-T0002`]);
      for (const trip of trips) {
        const statuses = events.filter((e) => e.trip_id === trip).map((e) => e.status);
        expect(statuses[0]).toBe('started');
        expect(statuses[statuses.length - 1]).toBe('finished');
        expect(statuses.slice(1, -1).every((s) => s === 'moving' || s === 'stopped')).toBe(true);
        stops += statuses.filter((s) => s === 'stopped').length;
      }
    }
    expect(stops).toBeGreaterThan(0);
  });

  it('keeps the simulated clock ordered: globally non-decreasing, per vehicle one tick apart within a trip', async () => {
    const { records } = await runSource(simulator, { ...finite, tickMs: 2000, startTime: '2025-03-01T06:00:00Z' });
    const events = valuesOf(records);
    const times = events.map((e) => Date.parse(e.ts));
    const violations: string[] = [];
    for (let i = 1; i < times.length; i++) if (times[i] < times[i - 1]) violations.push(`seq ${i} goes back in time`);
    expect(times[0]).toBeGreaterThanOrEqual(Date.parse('2025-03-01T06:00:00Z'));
    expect(times[0]).toBeLessThan(Date.parse('2025-03-01T06:00:00Z') + 10 * 2000);
    for (const vehicleEvents of byVehicle(events).values()) {
      for (let i = 1; i < vehicleEvents.length; i++) {
        const gap = Date.parse(vehicleEvents[i].ts) - Date.parse(vehicleEvents[i - 1].ts);
        const sameTrip = vehicleEvents[i].trip_id === vehicleEvents[i - 1].trip_id;
        // Within a trip one tick apart; between trips at least the minimum pause.
        if (sameTrip ? gap !== 2000 : gap < 5000) violations.push(`seq ${vehicleEvents[i].seq}: gap ${gap} ms`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('moves vehicles by at most speed × tick, with speeds near the cruising range and 0 when not moving', async () => {
    const { records } = await runSource(simulator, { ...finite, minSpeedKmh: 30, maxSpeedKmh: 50 });
    const violations: string[] = [];
    let checked = 0;
    for (const events of byVehicle(valuesOf(records)).values()) {
      for (let i = 1; i < events.length; i++) {
        const [prev, cur] = [events[i - 1], events[i]];
        const where = `seq ${cur.seq} (${cur.status})`;
        if (cur.status === 'moving' && (cur.speed < 30 * 0.85 - 0.05 || cur.speed > 50 * 1.15 + 0.05)) violations.push(`${where}: speed ${cur.speed}`);
        if (cur.status !== 'moving' && cur.speed !== 0) violations.push(`${where}: speed ${cur.speed} instead of 0`);
        if (!(cur.heading >= 0 && cur.heading < 360)) violations.push(`${where}: heading ${cur.heading}`);
        if (cur.trip_id !== prev.trip_id) continue;
        const moved = distanceKm([prev.lat, prev.lon], [cur.lat, cur.lon]);
        if (cur.status === 'stopped' && moved !== 0) violations.push(`${where}: moved ${moved} km while stopped`);
        // A `finished` event may cover the last part at up to the max speed variation.
        const limit = ((cur.status === 'moving' ? cur.speed : 50 * 1.15) * 1000) / 3_600_000;
        if (moved > limit + 0.001) violations.push(`${where}: moved ${moved} km in one tick, limit ${limit}`);
        checked++;
      }
    }
    expect(violations).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });

  it('follows fixed routes from their first point to their last', async () => {
    const routes = [
      { id: 'a', points: [[48.85, 2.35], [48.852, 2.35], [48.852, 2.353]] },
      { id: 'b', points: [[48.86, 2.34], [48.858, 2.338]] },
    ];
    const { records, ended } = await runSource(simulator, { vehicles: 2, tripsPerVehicle: 2, routes, stopProbability: 0 });
    expect(ended).toBe(true);
    for (const [id, events] of byVehicle(valuesOf(records))) {
      const index = Number(id.slice(1)) - 1;
      for (const [trip, tripId] of [`${id}-T0001`, `${id}-T0002`].entries()) {
        const route = routes[(index + trip) % 2].points;
        const tripEvents = events.filter((e) => e.trip_id === tripId);
        expect([tripEvents[0].lat, tripEvents[0].lon]).toEqual(route[0]);
        const last = tripEvents[tripEvents.length - 1];
        expect([last.lat, last.lon]).toEqual(route[route.length - 1]);
        expect(tripEvents.some((e) => e.status === 'stopped')).toBe(false);
      }
    }
  });

  it('keeps generated trips in the configured area', async () => {
    const { records } = await runSource(simulator, { vehicles: 3, center: { lat: -33.87, lon: 151.21 }, radiusKm: 2, maxEvents: 3000 });
    for (const e of valuesOf(records)) expect(distanceKm([-33.87, 151.21], [e.lat, e.lon])).toBeLessThan(2 + 0.15 * 4 * Math.SQRT2);
  });

  it('is deterministic: the same config and seed give the same events, another seed others', async () => {
    const a = await runSource(simulator, { ...finite, maxEvents: 2000 });
    const b = await runSource(simulator, { ...finite, maxEvents: 2000 });
    expect(b.records.map((r) => [r.key, r.value, r.timestamp])).toEqual(a.records.map((r) => [r.key, r.value, r.timestamp]));
    const c = await runSource(simulator, { ...finite, maxEvents: 2000, seed: 4 });
    expect(valuesOf(c.records)).not.toEqual(valuesOf(a.records));
  });

  it('resumes right after the checkpoint with exactly the events of an uninterrupted run', async () => {
    const config = { vehicles: 7, seed: 99, maxEvents: 6000, batchSize: 333 };
    const whole = await runSource(simulator, config);
    expect(whole.records).toHaveLength(6000);
    const first = await runSource(simulator, config, { maxRecords: 1777 });
    expect(first.checkpoint).toEqual({ [EVENTS_LANE]: 1776 });
    const second = await runSource(simulator, config, { checkpoint: first.checkpoint, maxRecords: 2500 });
    const third = await runSource(simulator, config, { checkpoint: second.checkpoint });
    expect(third.ended).toBe(true);
    const joined = [...first.records, ...second.records, ...third.records];
    expect(joined.map((r) => [r.key, r.value, r.origin.offset])).toEqual(whole.records.map((r) => [r.key, r.value, r.origin.offset]));
  });

  it('ends at once when restarted after the last event of a finite simulation', async () => {
    const whole = await runSource(simulator, { ...finite });
    const again = await runSource(simulator, { ...finite }, { checkpoint: whole.checkpoint });
    expect(again).toMatchObject({ ended: true, records: [] });
    const past = await runSource(simulator, { ...finite }, { checkpoint: { [EVENTS_LANE]: 10_000_000 } });
    expect(past).toMatchObject({ ended: true, records: [] });
  });

  it('stops after maxEvents', async () => {
    const result = await runSource(simulator, { maxEvents: 1234, batchSize: 1000 });
    expect(result.ended).toBe(true);
    expect(result.records).toHaveLength(1234);
  });

  it('stamps events with the wall clock when asked', async () => {
    const before = Date.now();
    const { records } = await runSource(simulator, { timestamps: 'wall' }, { maxRecords: 20 });
    for (const record of records) {
      expect(record.timestamp).toBeGreaterThanOrEqual(before);
      expect(record.timestamp).toBeLessThanOrEqual(Date.now());
    }
    // Positions stay deterministic.
    const simulated = await runSource(simulator, {}, { maxRecords: 20 });
    const strip = (r: SluiceRecord) => ({ ...(r.value as VehicleEventValue), ts: undefined });
    expect(records.map(strip)).toEqual(simulated.records.map(strip));
  });

  it('never returns more events than the token bucket allows (injected clock)', async () => {
    const clock = { time: 0, now() { return this.time; } } satisfies Clock & { time: number };
    // 500 events/s → chunks of 5 events (10 ms worth).
    const source = new VehicleSimulatorSource(configOf({ rate: 500 }), clock);
    const signal = new AbortController().signal;
    await source.start({ checkpoint: {}, signal });
    expect(await source.read(signal)).toHaveLength(5);
    expect(await source.read(signal)).toEqual([]);
    clock.time += 6;
    expect(await source.read(signal)).toHaveLength(3);
    clock.time += 500;
    const batch = await source.read(signal);
    expect(batch).toHaveLength(5);
    expect(batch?.[0].position).toEqual({ lane: EVENTS_LANE, offset: 8 });
  });

  it('stops waiting for the bucket when aborted', async () => {
    const source = new VehicleSimulatorSource(configOf({ rate: 0.001 }), { now: () => 0 });
    const controller = new AbortController();
    await source.start({ checkpoint: {}, signal: controller.signal });
    expect(await source.read(controller.signal)).toHaveLength(1);
    const pending = source.read(controller.signal);
    controller.abort();
    await expect(pending).resolves.toEqual([]);
  });

  it('refuses a checkpoint that is not an event number, and read before start', async () => {
    const signal = new AbortController().signal;
    await expect(new VehicleSimulatorSource(configOf({})).start({ checkpoint: { [EVENTS_LANE]: '12' }, signal })).rejects.toThrow('expected an event sequence number');
    await expect(new VehicleSimulatorSource(configOf({})).read(signal)).rejects.toThrow('read() before start()');
  });
});
