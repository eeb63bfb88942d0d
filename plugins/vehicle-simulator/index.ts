import { defineSource, type ConfigIssue } from '@sluice/sdk';
import { VehicleSimulatorConfig } from './vehicle-simulator.config.js';
import { VehicleSimulatorSource } from './vehicle-simulator-source.js';

const RANGES = [
  ['minSpeedKmh', 'maxSpeedKmh'],
  ['minStopSeconds', 'maxStopSeconds'],
  ['minPauseSeconds', 'maxPauseSeconds'],
] as const;

/** Checks decorators cannot express: ordered ranges and the [lat, lon] pairs of fixed routes. */
function validate(config: VehicleSimulatorConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [min, max] of RANGES) {
    if (config[min] > config[max]) issues.push({ path: max, message: `must be ≥ ${min} (${config[min]})` });
  }
  config.routes?.forEach((route, r) => {
    route.points.forEach((point, p) => {
      const path = `routes[${r}].points[${p}]`;
      const label = route.id ? ` (route "${route.id}")` : '';
      if (!Array.isArray(point) || point.length !== 2 || !point.every((n) => typeof n === 'number' && Number.isFinite(n))) {
        issues.push({ path, message: `must be a [lat, lon] pair of numbers${label}` });
      } else if (Math.abs(point[0]) > 90) {
        issues.push({ path: `${path}[0]`, message: `latitude must be within -90..90${label}` });
      } else if (Math.abs(point[1]) > 180) {
        issues.push({ path: `${path}[1]`, message: `longitude must be within -180..180${label}` });
      }
    });
  });
  return issues;
}

export default defineSource<VehicleSimulatorConfig>({
  name: 'vehicle-simulator',
  version: '1.0.0',
  description:
    'Simulates a fleet of vehicles driving trips and emits their position and trip-status events (vehicle_id, trip_id, lat, lon, speed, heading, status, ts), seeded and replayable.',
  config: VehicleSimulatorConfig,
  validate,
  create: (config) => new VehicleSimulatorSource(config),
  examples: [
    { title: '20 vehicles around Paris in real time, 3 trips each', config: { vehicles: 20, rate: 20, tripsPerVehicle: 3 } },
    {
      title: 'Two buses on fixed routes, one report every 5 s of simulated time',
      config: {
        vehicles: 2,
        vehiclePrefix: 'BUS-',
        tickMs: 5000,
        routes: [
          { id: 'line-1', points: [[48.8566, 2.3522], [48.8606, 2.3376], [48.8738, 2.295]] },
          { id: 'line-2', points: [[48.8738, 2.295], [48.8867, 2.3431]] },
        ],
      },
    },
  ],
});
