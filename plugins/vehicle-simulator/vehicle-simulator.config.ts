import { Field } from '@sluice/sdk';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** A point on the map. */
export class GeoPointConfig {
  @Field({ description: 'Latitude in decimal degrees (-90..90).', example: 48.8566 })
  @IsNumber()
  @Min(-90)
  @Max(90)
  lat: number;

  @Field({ description: 'Longitude in decimal degrees (-180..180).', example: 2.3522 })
  @IsNumber()
  @Min(-180)
  @Max(180)
  lon: number;
}

/** A fixed route: the vehicle drives from the first point to the last through the others. */
export class RouteConfig {
  @Field({ description: 'Name of the route (for logs and errors). Default: `route-<index>`.', example: 'airport-shuttle' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  id?: string;

  @Field({ description: 'The points of the route as [lat, lon] pairs in decimal degrees, at least two.', example: [[48.8566, 2.3522], [48.8606, 2.3376], [48.8738, 2.295]] })
  @IsArray()
  @ArrayMinSize(2)
  points: Array<[number, number]>;
}

export class VehicleSimulatorConfig {
  @Field({ description: 'Seed of the simulation (0..4294967295): the event sequence is a pure function of the config and this seed.', example: 7 })
  @IsInt()
  @Min(0)
  @Max(4_294_967_295)
  seed: number = 42;

  @Field({ description: 'Number of simulated vehicles.', example: 20 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  vehicles: number = 5;

  @Field({ description: 'Prefix of the vehicle ids; the number is zero-padded to at least 3 digits (V001, V002, ...).', example: 'BUS-' })
  @IsString()
  @MaxLength(32)
  @Matches(/^[A-Za-z0-9_.:-]*$/, { message: 'may only hold letters, digits and _ . : -' })
  vehiclePrefix: string = 'V';

  @Field({ description: 'Simulated milliseconds between two reports of the same vehicle while it is on a trip.', example: 1000 })
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  tickMs: number = 1000;

  @Field({ description: 'Events per second in real time, over the whole fleet (token bucket). 0 (the default) = as fast as the pipeline takes them.', example: 50 })
  @IsNumber()
  @Min(0)
  @Max(10_000_000)
  rate: number = 0;

  @Field({ description: 'Total number of events, then the input ends. Not set (the default) = no limit.', example: 100_000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  maxEvents?: number;

  @Field({ description: 'Trips each vehicle makes; the input ends when every vehicle finished its last trip. Not set (the default) = vehicles drive forever.', example: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  tripsPerVehicle?: number;

  @Field({ description: 'Simulated time (ISO 8601) at which the simulation starts; vehicles set off within the first ten ticks.', example: '2025-06-01T07:00:00Z' })
  @IsISO8601({ strict: true })
  startTime: string = '2025-01-01T08:00:00.000Z';

  @Field({
    description:
      'What `ts` holds (an ISO 8601 UTC string with milliseconds; the record timestamp is the same instant in epoch ms): `simulated` (the default) is the simulated clock (startTime + simulated time, deterministic); `wall` is the real time at which the event is emitted (positions stay deterministic, timestamps do not).',
    example: 'simulated',
  })
  @IsIn(['simulated', 'wall'])
  timestamps: 'simulated' | 'wall' = 'simulated';

  @Field({ description: 'Centre of the area in which routes are generated (when `routes` is not set). Default: central Paris.', nested: () => GeoPointConfig })
  @ValidateNested()
  @Type(() => GeoPointConfig)
  center: GeoPointConfig = Object.assign(new GeoPointConfig(), { lat: 48.8566, lon: 2.3522 });

  @Field({ description: 'Radius in km of the area around `center` in which generated trips start and end.', example: 5 })
  @IsNumber()
  @Min(0.1)
  @Max(2000)
  radiusKm: number = 5;

  @Field({ description: 'Points of each generated route, origin and destination included.', example: 6 })
  @IsInt()
  @Min(2)
  @Max(1000)
  routePoints: number = 6;

  @Field({
    description:
      'Fixed routes to drive instead of generated ones. Trip k of vehicle i follows route (i + k) mod (number of routes), starting at its first point. Not set (the default) = each trip is generated from the seed, from where the previous one ended.',
    nested: () => RouteConfig,
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => RouteConfig)
  routes?: RouteConfig[];

  @Field({ description: 'Lowest cruising speed in km/h (each trip draws its cruising speed between the two bounds).', example: 20 })
  @IsNumber()
  @Min(1)
  @Max(500)
  minSpeedKmh: number = 20;

  @Field({ description: 'Highest cruising speed in km/h.', example: 60 })
  @IsNumber()
  @Min(1)
  @Max(500)
  maxSpeedKmh: number = 60;

  @Field({ description: 'Probability (0..1) that a moving vehicle stops at a given tick (traffic light, jam, delivery); the vehicle reports `stopped` every tick until the stop is over.', example: 0.01 })
  @IsNumber()
  @Min(0)
  @Max(1)
  stopProbability: number = 0.01;

  @Field({ description: 'Shortest stop in simulated seconds.', example: 5 })
  @IsNumber()
  @Min(0)
  minStopSeconds: number = 5;

  @Field({ description: 'Longest stop in simulated seconds.', example: 40 })
  @IsNumber()
  @Min(0)
  maxStopSeconds: number = 40;

  @Field({ description: 'Shortest pause between two trips of a vehicle, in simulated seconds (no events meanwhile).', example: 30 })
  @IsNumber()
  @Min(0)
  minPauseSeconds: number = 30;

  @Field({ description: 'Longest pause between two trips of a vehicle, in simulated seconds.', example: 300 })
  @IsNumber()
  @Min(0)
  maxPauseSeconds: number = 300;

  @Field({ description: 'Largest number of events one read returns.', example: 500 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  batchSize: number = 500;
}
