import { isKeyedStateTransform, isQueryable, isTransactionalSink, isTriggerable, type CapabilityName, type PluginDefinition, type Sink, type Transform } from '@sluice/sdk';

/** How to tell that an instance implements a capability (those with a contract to implement). */
const IMPLEMENTS: Partial<Record<CapabilityName, (instance: object) => boolean>> = {
  queryable: (instance) => isQueryable(instance),
  transactional: (instance) => isTransactionalSink(instance as Sink),
  triggerable: (instance) => isTriggerable(instance),
  keyedState: (instance) => isKeyedStateTransform(instance as Transform),
  ownsOffsets: (instance) => typeof (instance as { commit?: unknown }).commit === 'function',
};

/** The capabilities `definition` declares that `instance` does not implement (a plugin bug). */
export function missingCapabilities(definition: PluginDefinition, instance: object): CapabilityName[] {
  const declared = definition.capabilities ?? {};
  return (Object.keys(IMPLEMENTS) as CapabilityName[]).filter((name) => declared[name] === true && !IMPLEMENTS[name]!(instance));
}
