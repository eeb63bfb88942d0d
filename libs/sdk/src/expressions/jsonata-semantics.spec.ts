import jsonata from 'jsonata';
import { SeededRandom } from '../../../../bench/csv/seeded-random.js';
import { jsonataRound } from './jsonata-semantics.js';

describe('jsonataRound matches JSONata $round', () => {
  const expression = jsonata('$round($v, $p)');
  const reference = async (v: number, p: number) => (await expression.evaluate({}, { v, p })) as number;

  it('on ties, near-ties, products of prices and quantities, large and tiny values', async () => {
    const generator = new SeededRandom(20261207);
    const random = () => generator.next();
    const cases: Array<[number, number]> = [
      [1.005, 2], [12345.675, 2], [2.675, 2], [-2.675, 2], [0.125, 2], [0.375, 2], [-0.125, 2], [1.5e-7, 7], [2.5e-7, 7],
      [1e21, 2], [123456789012.345, 3], [4503599627370495.5, 1], [0.1 + 0.2, 1], [-0.0001, 2], [-0, 2], [1.45, 1], [1.55, 1], [8.345, 2],
    ];
    for (let i = 0; i < 4000; i++) {
      const price = Math.round(random() * 100_000) / 100;
      const quantity = 1 + Math.floor(random() * 50);
      cases.push([price * quantity, 2]);
      // A decimal that ends in 5 one place after the precision: a tie in decimal, rarely in binary.
      const p = 1 + Math.floor(random() * 6);
      const digits = Math.floor(random() * 10 ** (p + 2));
      cases.push([((digits * 10 + 5) / 10 ** (p + 1)) * (random() < 0.5 ? -1 : 1), p]);
      cases.push([(random() - 0.5) * 10 ** Math.floor(random() * 30 - 10), 1 + Math.floor(random() * 15)]);
    }
    const mismatches: string[] = [];
    for (const [v, p] of cases) {
      const expected = await reference(v, p);
      const actual = jsonataRound(v, p);
      if (!Object.is(actual, expected)) mismatches.push(`$round(${v}, ${p}): JSONata ${expected}, ours ${actual}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
