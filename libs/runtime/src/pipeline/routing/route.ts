import type { JsonataExpression, Sink, Transform } from '@sluice/sdk';

/** A plugin instance inside a route, with the stage name it reports under (`routes.<name>.sink`). */
export interface RouteMember<I> {
  readonly stage: string;
  readonly plugin: string;
  readonly instance: I;
}

/** One running branch of a fan-out: which records it takes, what it does to them, where they go. */
export interface Route {
  readonly name: string;
  /** Compiled `when` condition; absent: the route takes every record. */
  readonly when?: JsonataExpression;
  readonly transforms: readonly RouteMember<Transform>[];
  readonly sink: RouteMember<Sink>;
}
