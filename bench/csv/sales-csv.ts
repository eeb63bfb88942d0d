// The sales CSV of the csv-* bench lines: deterministic for a seed, written once per run.
//
//   order_id,customer_id,product_id,quantity,unit_price,order_date,channel,country,coupon
//   10000001,48213,P01734,2,17.35,2025-03-14T09:26:53Z,Web,de,
//
// * order_id grows by 1 per new order (by 2 every tenth); customer_id 1..250,000 (skewed towards small
//   ids); product_id P00001..P20000, each with a fixed unit_price; order_date in 2025, UTC.
// * The text columns need normalising: channel comes in mixed case with stray spaces (" web",
//   "WEB ", "Store"...), country in either case ("de", "DE"); coupon is empty on 90% of the rows.
// * About DUPLICATE_RATE of the rows repeat an earlier order exactly (a re-sent line, at most
//   DUPLICATE_DISTANCE new orders back, so a dedupe window of that many keys catches all of them).
// * About NEGATIVE_QUANTITY_RATE of the new orders have a negative quantity and BAD_DATE_RATE an
//   order_date that is no date (`N/A`, `31/12/2025` or empty): the validate stage rejects both,
//   a sink cannot store the second kind in a timestamp column.
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { SeededRandom } from './seeded-random.js';

export const SALES_COLUMNS = ['order_id', 'customer_id', 'product_id', 'quantity', 'unit_price', 'order_date', 'channel', 'country', 'coupon'] as const;
export const DUPLICATE_RATE = 0.03;
export const DUPLICATE_DISTANCE = 50_000;
export const NEGATIVE_QUANTITY_RATE = 0.01;
export const BAD_DATE_RATE = 0.005;

const FIRST_ORDER_ID = 10_000_001;
const YEAR_START_MS = Date.UTC(2025, 0, 1);
const YEAR_SECONDS = 365 * 24 * 3600;
const CHANNELS = ['web', 'Web', ' web', 'WEB ', 'store', 'Store', 'phone', 'marketplace'] as const;
const COUNTRIES = ['de', 'DE', 'fr', 'FR', 'nl', 'it', 'es', 'us', 'US', 'gb'] as const;
const COUPONS = ['SPRING10', 'WELCOME', 'VIP20'] as const;
const BAD_DATES = ['N/A', '31/12/2025', ''] as const;
const FLUSH_ROWS = 8192;

/** What the file holds, and so what each load must end with. */
export interface SalesCsv {
  readonly path: string;
  readonly seed: number;
  /** Data rows (the header not counted). */
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  /** Rows repeating an earlier order. */
  readonly duplicateRows: number;
  /** Rows (repeats included) with a negative quantity or no valid order_date. */
  readonly invalidRows: number;
  /** Rows (repeats included) whose order_date is no date. */
  readonly badDateRows: number;
  /** Distinct order_ids. */
  readonly orders: number;
  /** Distinct order_ids whose row is valid: what validate → dedupe → … → upsert stores. */
  readonly validOrders: number;
  /** Distinct order_ids whose order_date is a date: what a load without validation can store. */
  readonly datedOrders: number;
}

/** The unit price of a product: fixed per product, 1.00 to 499.99. */
const priceOf = (product: number) => (((product * 7919) % 49_900) + 100) / 100;

interface Order {
  readonly line: string;
  readonly valid: boolean;
  readonly dated: boolean;
}

/**
 * The line of the `index`-th new order: a function of the seed and the index alone, so a repeated
 * order is written again from its index (the file holds no memory of earlier lines).
 */
function orderLine(seed: number, index: number): Order {
  const random = new SeededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
  random.next();
  const orderId = FIRST_ORDER_ID + index + Math.floor(index / 10);
  const customer = 1 + Math.floor(random.next() ** 1.5 * 250_000);
  const product = random.int(1, 20_000);
  let quantity = 1 + Math.floor(random.next() ** 3 * 12);
  const negative = random.next() < NEGATIVE_QUANTITY_RATE;
  if (negative) quantity = -quantity;
  const badDate = random.next() < BAD_DATE_RATE;
  const date = badDate ? random.pick(BAD_DATES) : `${new Date(YEAR_START_MS + Math.floor(random.next() * YEAR_SECONDS) * 1000).toISOString().slice(0, 19)}Z`;
  const coupon = random.next() < 0.1 ? random.pick(COUPONS) : '';
  const line = `${orderId},${customer},P${String(product).padStart(5, '0')},${quantity},${priceOf(product).toFixed(2)},${date},${random.pick(CHANNELS)},${random.pick(COUNTRIES)},${coupon}`;
  return { line, valid: !negative && !badDate, dated: !badDate };
}

/** Writes `rows` data rows to `path` and counts what each load must end with. */
export function writeSalesCsv(path: string, rows: number, seed: number): SalesCsv {
  const started = performance.now();
  const random = new SeededRandom(seed);
  let orders = 0;
  let duplicateRows = 0;
  let invalidRows = 0;
  let badDateRows = 0;
  let validOrders = 0;
  let datedOrders = 0;
  const fd = openSync(path, 'w');
  try {
    let pending: string[] = [SALES_COLUMNS.join(',')];
    for (let i = 0; i < rows; i++) {
      let order: Order;
      if (orders > 0 && random.next() < DUPLICATE_RATE) {
        // One of the last DUPLICATE_DISTANCE new orders, again.
        order = orderLine(seed, orders - 1 - Math.floor(random.next() * Math.min(orders, DUPLICATE_DISTANCE)));
        duplicateRows++;
      } else {
        order = orderLine(seed, orders++);
        if (order.valid) validOrders++;
        if (order.dated) datedOrders++;
      }
      if (!order.valid) invalidRows++;
      if (!order.dated) badDateRows++;
      pending.push(order.line);
      if (pending.length >= FLUSH_ROWS) {
        writeSync(fd, `${pending.join('\n')}\n`);
        pending = [];
      }
    }
    if (pending.length > 0) writeSync(fd, `${pending.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  return {
    path,
    seed,
    rows,
    bytes: statSync(path).size,
    seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
    duplicateRows,
    invalidRows,
    badDateRows,
    orders: rows - duplicateRows,
    validOrders,
    datedOrders,
  };
}
