import { bearingDegrees, distanceKm, interpolate, type LatLon } from './geo.js';

/** A vehicle's progress along a route: which segment it is on and how far along it. */
export class RouteCursor {
  private readonly lengths: number[];
  private readonly headings: number[];
  private segment = 0;
  private along = 0;
  /** Route length in km. */
  readonly lengthKm: number;

  constructor(private readonly points: readonly LatLon[]) {
    if (points.length < 2) throw new Error(`a route needs at least 2 points, got ${points.length}`);
    this.lengths = [];
    this.headings = [];
    for (let i = 0; i + 1 < points.length; i++) {
      this.lengths.push(distanceKm(points[i], points[i + 1]));
      this.headings.push(bearingDegrees(points[i], points[i + 1]));
    }
    this.lengthKm = this.lengths.reduce((a, b) => a + b, 0);
    this.skipEmptySegments();
  }

  /** True once the end of the route is reached. */
  get arrived(): boolean {
    return this.segment >= this.lengths.length;
  }

  /** Where the vehicle is. */
  get position(): [number, number] {
    if (this.arrived) {
      const last = this.points[this.points.length - 1];
      return [last[0], last[1]];
    }
    const length = this.lengths[this.segment];
    return interpolate(this.points[this.segment], this.points[this.segment + 1], length === 0 ? 0 : this.along / length);
  }

  /** Direction of travel: the bearing of the current segment (of the last one once arrived). */
  get heading(): number {
    return this.headings[Math.min(this.segment, this.headings.length - 1)];
  }

  /** Moves `km` further along the route (stopping at its end). */
  advance(km: number): void {
    let left = km;
    while (left > 0 && !this.arrived) {
      const remaining = this.lengths[this.segment] - this.along;
      if (left < remaining) {
        this.along += left;
        left = 0;
      } else {
        left -= remaining;
        this.segment++;
        this.along = 0;
      }
    }
    this.skipEmptySegments();
  }

  /** Zero-length segments (repeated points) are passed at once. */
  private skipEmptySegments(): void {
    while (!this.arrived && this.along === 0 && this.lengths[this.segment] === 0) this.segment++;
  }
}
