import { describe, expect, it } from '@jest/globals';
import { bearingDegrees, distanceKm, interpolate, offsetKm, round } from './geo.js';

describe('geo', () => {
  it('measures great-circle distances', () => {
    expect(distanceKm([48.8566, 2.3522], [51.5074, -0.1278])).toBeCloseTo(343.5, 0); // Paris → London
    expect(distanceKm([0, 0], [0, 1])).toBeCloseTo(111.19, 1);
    expect(distanceKm([10, 10], [10, 10])).toBe(0);
  });

  it('gives bearings clockwise from north in [0, 360)', () => {
    expect(bearingDegrees([0, 0], [1, 0])).toBeCloseTo(0, 6);
    expect(bearingDegrees([0, 0], [0, 1])).toBeCloseTo(90, 6);
    expect(bearingDegrees([0, 0], [-1, 0])).toBeCloseTo(180, 6);
    expect(bearingDegrees([0, 0], [0, -1])).toBeCloseTo(270, 6);
    expect(bearingDegrees([5, 5], [5, 5])).toBe(0);
  });

  it('interpolates and offsets points', () => {
    expect(interpolate([0, 0], [2, 4], 0.25)).toEqual([0.5, 1]);
    const moved = offsetKm([48.8566, 2.3522], 3, 4);
    expect(distanceKm([48.8566, 2.3522], moved)).toBeCloseTo(5, 1);
    expect(bearingDegrees([48.8566, 2.3522], moved)).toBeCloseTo(53.1, 0);
    expect(offsetKm([0, 179.99], 0, 10)[1]).toBeLessThan(-179);
  });

  it('rounds to a number of decimals', () => {
    expect(round(1.23456789, 6)).toBe(1.234568);
    expect(round(359.96, 1)).toBe(360);
  });
});
