import { Transform } from 'class-transformer';

/**
 * Lets a list field also be written as one comma-separated string, e.g.
 * `brokers: ${KAFKA_BROKERS}` with `KAFKA_BROKERS=k1:9092,k2:9092`: the string is split at commas
 * and each item trimmed (empty items are dropped). Lists are kept as they are, so a list of one
 * such string (`["${KAFKA_BROKERS}"]`) is split too.
 */
export function CommaSeparatedList(): PropertyDecorator {
  const split = (text: string) =>
    text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  return Transform(({ value }) => {
    if (typeof value === 'string') return split(value);
    if (Array.isArray(value) && value.some((item) => typeof item === 'string' && item.includes(','))) {
      return value.flatMap((item) => (typeof item === 'string' ? split(item) : [item]));
    }
    return value;
  });
}
