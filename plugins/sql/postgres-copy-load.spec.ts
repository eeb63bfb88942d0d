import { PostgresCopyLoad } from './postgres-copy-load.js';

describe('PostgresCopyLoad', () => {
  it('upserts through a staging table of the declared columns, merged with one INSERT ... SELECT ... ON CONFLICT', () => {
    const load = new PostgresCopyLoad('"s"."orders"', 'orders', ['id', 'qty'], ['id']);
    expect(load.createStage).toBe('CREATE TEMP TABLE pg_temp."sluice_copy_stage" ON COMMIT DROP AS SELECT "id", "qty" FROM "s"."orders" WITH NO DATA');
    expect(load.copy).toBe('COPY pg_temp."sluice_copy_stage" ("id", "qty") FROM STDIN');
    expect(load.merge).toBe(
      'INSERT INTO "s"."orders" ("id", "qty") SELECT "id", "qty" FROM pg_temp."sluice_copy_stage" ON CONFLICT ("id") DO UPDATE SET "qty" = excluded."qty"',
    );
  });

  it('copies plain inserts straight into the table', () => {
    const load = new PostgresCopyLoad('"orders"', 'orders', ['id', 'qty'], null);
    expect(load).toEqual({ createStage: null, copy: 'COPY "orders" ("id", "qty") FROM STDIN', merge: null });
  });

  it('never names the staging table like the table itself', () => {
    const load = new PostgresCopyLoad('"sluice_copy_stage"', 'sluice_copy_stage', ['id'], ['id']);
    expect(load.copy).toBe('COPY pg_temp."sluice_copy_stage_" ("id") FROM STDIN');
    expect(load.merge).toBe('INSERT INTO "sluice_copy_stage" ("id") SELECT "id" FROM pg_temp."sluice_copy_stage_" ON CONFLICT ("id") DO NOTHING');
  });
});
