import { Controller, type Type } from '@nestjs/common';

/**
 * `controller` served under `path`, a prefix only known from the config: a subclass carrying the
 * `@Controller(path)` metadata (routes, guards and injections are inherited), so the shared class
 * itself is never changed and several hosts in one process can use different prefixes.
 */
export function mountController<T extends Type<object>>(controller: T, path: string): T {
  const mounted = class extends controller {};
  Object.defineProperty(mounted, 'name', { value: controller.name });
  Controller(path)(mounted);
  return mounted;
}
