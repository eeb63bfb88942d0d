import { validateConfig } from '@sluice/sdk';
import { SluiceFileSchema } from './config-schema.js';
it('explore', () => {
  const cases: unknown[] = [
    {},
    { pipelines: [] },
    { pipelines: 'x' },
    { pipelines: ['x'] },
    { http: 'abc', log: { levle: 'x' }, pipelines: [{ name: 'A', source: 'x', transforms: 'y', batch: { maxRecords: 0 }, retry: null }] },
    { pipelines: [{ name: 'a', transforms: [null, { plugin: 3 }], sink: { plugin: 'x', config: [1], extra: 1 } }] },
  ];
  for (const c of cases) console.log(JSON.stringify(c), '\n', validateConfig(SluiceFileSchema, c).issues);
});
