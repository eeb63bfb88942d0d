import { distanceKm, interpolate, offsetKm, type LatLon } from './geo.js';
import type { SeededRandom } from './seeded-random.js';
import type { VehicleSimulatorConfig } from './vehicle-simulator.config.js';

/** How many destination candidates a generated trip draws to avoid very short trips. */
const DESTINATION_ATTEMPTS = 8;
/** Sideways deviation of the intermediate points of a generated route, as a share of its length. */
const DETOUR_SHARE = 0.15;

/**
 * Chooses the route of each trip: the configured routes in rotation, or a route generated from the
 * vehicle's random stream between where the vehicle is and a random destination in the area.
 */
export class RoutePlanner {
  private readonly fixed?: ReadonlyArray<readonly LatLon[]>;

  constructor(private readonly config: Pick<VehicleSimulatorConfig, 'routes' | 'center' | 'radiusKm' | 'routePoints'>) {
    this.fixed = config.routes?.map((route) => route.points.map(([lat, lon]) => [lat, lon] as const));
  }

  /** A random point in the area (uniform over the disc around the centre). */
  randomPoint(random: SeededRandom): LatLon {
    const r = this.config.radiusKm * Math.sqrt(random.float());
    const angle = 2 * Math.PI * random.float();
    return offsetKm([this.config.center.lat, this.config.center.lon], r * Math.cos(angle), r * Math.sin(angle));
  }

  /** The points of trip `tripIndex` (0-based) of vehicle `vehicleIndex`, which is now at `from`. */
  plan(vehicleIndex: number, tripIndex: number, from: LatLon | undefined, random: SeededRandom): readonly LatLon[] {
    if (this.fixed) return this.fixed[(vehicleIndex + tripIndex) % this.fixed.length];
    const origin = from ?? this.randomPoint(random);
    let destination = this.randomPoint(random);
    let best = distanceKm(origin, destination);
    for (let attempt = 1; attempt < DESTINATION_ATTEMPTS && best < this.config.radiusKm / 2; attempt++) {
      const candidate = this.randomPoint(random);
      const distance = distanceKm(origin, candidate);
      if (distance > best) {
        destination = candidate;
        best = distance;
      }
    }
    const points: LatLon[] = [origin];
    const detour = best * DETOUR_SHARE;
    for (let i = 1; i < this.config.routePoints - 1; i++) {
      const onLine = interpolate(origin, destination, i / (this.config.routePoints - 1));
      points.push(offsetKm(onLine, random.between(-detour, detour), random.between(-detour, detour)));
    }
    points.push(destination);
    return points;
  }
}
