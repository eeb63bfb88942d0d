/** Spherical-earth helpers, good to well under a metre at city scale. */

export type LatLon = readonly [lat: number, lon: number];

const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE_LAT = (Math.PI * EARTH_RADIUS_KM) / 180;
const RAD = Math.PI / 180;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: LatLon, b: LatLon): number {
  const dLat = (b[0] - a[0]) * RAD;
  const dLon = (b[1] - a[1]) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * RAD) * Math.cos(b[0] * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from `a` to `b`, degrees clockwise from north in [0, 360). 0 when the points coincide. */
export function bearingDegrees(a: LatLon, b: LatLon): number {
  if (a[0] === b[0] && a[1] === b[1]) return 0;
  const lat1 = a[0] * RAD;
  const lat2 = b[0] * RAD;
  const dLon = (b[1] - a[1]) * RAD;
  const y = Math.sin(dLon) * Math.cos(lat2);
  const x = Math.cos(lat1) * Math.sin(lat2) - Math.sin(lat1) * Math.cos(lat2) * Math.cos(dLon);
  const degrees = Math.atan2(y, x) / RAD;
  return (degrees + 360) % 360;
}

/** The point a `fraction` (0..1) of the way from `a` to `b` (linear in degrees: fine for road segments). */
export function interpolate(a: LatLon, b: LatLon, fraction: number): [number, number] {
  return [a[0] + (b[0] - a[0]) * fraction, a[1] + (b[1] - a[1]) * fraction];
}

/** The point `northKm` north and `eastKm` east of `origin` (local flat approximation), longitude wrapped to [-180, 180). */
export function offsetKm(origin: LatLon, northKm: number, eastKm: number): [number, number] {
  const lat = Math.max(-89.9, Math.min(89.9, origin[0] + northKm / KM_PER_DEGREE_LAT));
  const lon = origin[1] + eastKm / (KM_PER_DEGREE_LAT * Math.max(0.01, Math.cos(origin[0] * RAD)));
  return [lat, ((((lon + 180) % 360) + 360) % 360) - 180];
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
