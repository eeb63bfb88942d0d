/**
 * SQL for the average of `valueSql` weighted by `weightSql` (both quoted numeric columns):
 * SUM(value·weight) / SUM(weight) over the rows where neither is NULL; NULL when no such row is
 * left or their weights add up to 0. Both are cast to double precision first (a REAL on SQLite, by
 * its type-name affinity rules), so integer columns divide exactly and their products cannot
 * overflow. The same expression on SQLite and PostgreSQL.
 */
export function weightedAverageSql(valueSql: string, weightSql: string): string {
  const value = `CAST(${valueSql} AS DOUBLE PRECISION)`;
  const weight = `CAST(${weightSql} AS DOUBLE PRECISION)`;
  return `SUM(${value} * ${weight}) / NULLIF(SUM(CASE WHEN ${valueSql} IS NOT NULL THEN ${weight} END), 0)`;
}
