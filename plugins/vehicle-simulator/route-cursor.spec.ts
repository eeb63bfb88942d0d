import { describe, expect, it } from '@jest/globals';
import { distanceKm } from './geo.js';
import { RouteCursor } from './route-cursor.js';

describe('RouteCursor', () => {
  // North 0.01° (~1.11 km), then east 0.01° (~0.73 km at this latitude).
  const points = [[48.85, 2.35], [48.86, 2.35], [48.86, 2.36]] as const;

  it('starts at the first point, heading along the first segment', () => {
    const cursor = new RouteCursor(points);
    expect(cursor.position).toEqual([48.85, 2.35]);
    expect(cursor.heading).toBeCloseTo(0, 3);
    expect(cursor.arrived).toBe(false);
    expect(cursor.lengthKm).toBeCloseTo(distanceKm(points[0], points[1]) + distanceKm(points[1], points[2]), 9);
  });

  it('advances along segments and turns at corners', () => {
    const cursor = new RouteCursor(points);
    const first = distanceKm(points[0], points[1]);
    cursor.advance(first / 2);
    expect(cursor.position[0]).toBeCloseTo(48.855, 6);
    cursor.advance(first / 2 + 0.1);
    expect(cursor.heading).toBeCloseTo(90, 0);
    expect(distanceKm(points[1], cursor.position)).toBeCloseTo(0.1, 4);
  });

  it('stops at the end of the route', () => {
    const cursor = new RouteCursor(points);
    cursor.advance(100);
    expect(cursor.arrived).toBe(true);
    expect(cursor.position).toEqual([48.86, 2.36]);
    expect(cursor.heading).toBeCloseTo(90, 0);
    cursor.advance(1);
    expect(cursor.position).toEqual([48.86, 2.36]);
  });

  it('passes repeated points at once and refuses routes of one point', () => {
    const cursor = new RouteCursor([[1, 1], [1, 1], [1.01, 1]]);
    expect(cursor.heading).toBeCloseTo(0, 3);
    cursor.advance(0.5);
    expect(cursor.position[0]).toBeGreaterThan(1);
    expect(new RouteCursor([[1, 1], [1, 1]]).arrived).toBe(true);
    expect(() => new RouteCursor([[1, 1]])).toThrow('at least 2 points');
  });
});
