/**
 * The k merchants of one pool (a city's shops of one category) nearest a point, exactly as
 * measuring all of them and sorting by (great-circle km, merchant number) would give — but without
 * measuring all of them. Merchants sit on a grid of square cells (a local flat projection); a query
 * visits rings of cells outward and stops once no merchant of an unvisited ring can be nearer than
 * the k-th found. Measuring every merchant of the pool per customer made the world build
 * quadratic: 100,000 customers took 16 s, 1,000,000 did not finish in 14 minutes.
 */
import { haversineKm } from '../../core/geo.ts';
import type { MerchantProfile } from './types.ts';

/** km per degree of latitude (and of longitude at the equator), for the projection only. */
const KM_PER_DEGREE = 111.195;
/** Slack for the flat projection's own approximation over a city's extent. */
const FLATNESS = 0.99;
/** Merchants per cell on average: a ring or two covers the few nearest. */
const PER_CELL = 1;

export class NearestMerchants {
  private readonly kmPerLonDegree: number;
  private readonly referenceCos: number;
  /** The pool's largest absolute latitude, where a degree of longitude is shortest. */
  private readonly maxAbsLat: number;
  private readonly minX: number;
  private readonly minY: number;
  private readonly cellKm: number;
  private readonly columns: number;
  private readonly rows: number;
  /** Merchant numbers grouped by cell (row-major), and where each cell's group starts. */
  private readonly byCell: Int32Array;
  /** Their coordinates in the same order: the query loop reads no merchant object. */
  private readonly latitudes: Float64Array;
  private readonly longitudes: Float64Array;
  private readonly cellStart: Int32Array;
  /** The best found so far during a query (reused: no allocation per query). */
  private readonly bestKm: Float64Array;
  private readonly bestNo: Int32Array;

  constructor(pool: Int32Array, merchants: readonly MerchantProfile[], k: number) {
    this.bestKm = new Float64Array(k);
    this.bestNo = new Int32Array(k);
    let latSum = 0;
    let maxAbsLat = 0;
    for (const m of pool) {
      const { latitude } = merchants[m] as MerchantProfile;
      latSum += latitude;
      maxAbsLat = Math.max(maxAbsLat, Math.abs(latitude));
    }
    const referenceLat = pool.length > 0 ? latSum / pool.length : 0;
    this.referenceCos = Math.cos((referenceLat * Math.PI) / 180);
    this.kmPerLonDegree = KM_PER_DEGREE * this.referenceCos;
    this.maxAbsLat = maxAbsLat;
    let minX = pool.length > 0 ? Infinity : 0;
    let minY = minX;
    let maxX = -minX;
    let maxY = -minX;
    for (const m of pool) {
      const x = this.x(merchants[m] as MerchantProfile);
      const y = this.y(merchants[m] as MerchantProfile);
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
    const area = Math.max(1e-6, (maxX - minX) * (maxY - minY));
    this.cellKm = Math.max(0.05, Math.sqrt((area * PER_CELL) / Math.max(1, pool.length)));
    this.minX = minX;
    this.minY = minY;
    this.columns = Math.floor((maxX - minX) / this.cellKm) + 1;
    this.rows = Math.floor((maxY - minY) / this.cellKm) + 1;
    // Counting sort of the pool by cell.
    const cells = this.columns * this.rows;
    this.cellStart = new Int32Array(cells + 1);
    const cellOf = new Int32Array(pool.length);
    pool.forEach((m, i) => {
      const merchant = merchants[m] as MerchantProfile;
      const cell = this.row(this.y(merchant)) * this.columns + this.column(this.x(merchant));
      cellOf[i] = cell;
      (this.cellStart[cell + 1] as number)++;
    });
    for (let c = 0; c < cells; c++) (this.cellStart[c + 1] as number) += this.cellStart[c] as number;
    const fill = this.cellStart.slice(0, cells);
    this.byCell = new Int32Array(pool.length);
    this.latitudes = new Float64Array(pool.length);
    this.longitudes = new Float64Array(pool.length);
    pool.forEach((m, i) => {
      const cell = cellOf[i] as number;
      const at = fill[cell] as number;
      this.byCell[at] = m;
      this.latitudes[at] = (merchants[m] as MerchantProfile).latitude;
      this.longitudes[at] = (merchants[m] as MerchantProfile).longitude;
      fill[cell] = at + 1;
    });
  }

  private x(merchant: MerchantProfile): number {
    return merchant.longitude * this.kmPerLonDegree;
  }

  private y(merchant: MerchantProfile): number {
    return merchant.latitude * KM_PER_DEGREE;
  }

  private column(x: number): number {
    return Math.min(this.columns - 1, Math.max(0, Math.floor((x - this.minX) / this.cellKm)));
  }

  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.minY) / this.cellKm)));
  }

  /**
   * Writes the numbers of the (at most k) nearest merchants to `out` from `offset` on, nearest
   * first, and returns how many there were.
   */
  nearest(lat: number, lon: number, out: Int32Array, offset: number): number {
    const k = this.bestKm.length;
    let found = 0;
    const px = lon * this.kmPerLonDegree;
    const py = lat * KM_PER_DEGREE;
    const cx = Math.floor((px - this.minX) / this.cellKm);
    const cy = Math.floor((py - this.minY) / this.cellKm);
    // How far the point is from the nearest edge of its own cell: a ring r ≥ 1 is that much
    // further than r - 1 whole cells.
    const inX = px - this.minX - cx * this.cellKm;
    const inY = py - this.minY - cy * this.cellKm;
    const edge = Math.min(inX, this.cellKm - inX, inY, this.cellKm - inY);
    // The point may lie outside the grid: rings are counted from its own (virtual) cell.
    const maxRing = Math.max(cx, this.columns - 1 - cx, cy, this.rows - 1 - cy, 0);
    // The projection measures east-west at the reference latitude's scale; between the point and
    // any merchant a degree of longitude is at least this share of that (it shrinks poleward).
    const poleward = Math.max(this.maxAbsLat, Math.abs(lat));
    const margin = Math.min(1, Math.cos((poleward * Math.PI) / 180) / this.referenceCos) * FLATNESS;
    // Rings nearer than the grid itself hold no cell: start at the first that reaches it.
    const firstRing = Math.max(0, -cx, cx - (this.columns - 1), -cy, cy - (this.rows - 1));
    for (let ring = firstRing; ring <= maxRing; ring++) {
      // Cells of this ring are at least (ring - 1) cells away from the point along x or y, wherever
      // it lies in its own cell; with k found and the k-th nearer than that, nothing further can win.
      if (found === k && (this.bestKm[k - 1] as number) < ((ring - 1) * this.cellKm + edge) * margin) break;
      const firstRow = Math.max(0, cy - ring);
      const lastRow = Math.min(this.rows - 1, cy + ring);
      for (let row = firstRow; row <= lastRow; row++) {
        if (row === cy - ring || row === cy + ring) {
          // A top or bottom edge of the ring: every cell of it inside the grid.
          const last = Math.min(this.columns - 1, cx + ring);
          for (let column = Math.max(0, cx - ring); column <= last; column++)
            found = this.visit(row * this.columns + column, lat, lon, found);
        } else {
          // A side row: the two cells at the ring's left and right.
          if (cx - ring >= 0 && cx - ring < this.columns)
            found = this.visit(row * this.columns + cx - ring, lat, lon, found);
          if (ring > 0 && cx + ring >= 0 && cx + ring < this.columns)
            found = this.visit(row * this.columns + cx + ring, lat, lon, found);
        }
      }
    }
    for (let slot = 0; slot < found; slot++) out[offset + slot] = this.bestNo[slot] as number;
    return found;
  }

  private visit(cell: number, lat: number, lon: number, found: number): number {
    let count = found;
    const end = this.cellStart[cell + 1] as number;
    for (let i = this.cellStart[cell] as number; i < end; i++) {
      const km = haversineKm(lat, lon, this.latitudes[i] as number, this.longitudes[i] as number);
      count = this.consider(this.byCell[i] as number, km, count);
    }
    return count;
  }

  /** Whether the best in `slot` ranks after (km, m): further, or as far with a higher number. */
  private ranksAfter(slot: number, km: number, m: number): boolean {
    const best = this.bestKm[slot] as number;
    return best > km || (best === km && (this.bestNo[slot] as number) > m);
  }

  /** Inserts merchant `m`, `km` away, among the best (sorted by km, then number) if it belongs there. */
  private consider(m: number, km: number, found: number): number {
    const k = this.bestKm.length;
    if (found === k && !this.ranksAfter(k - 1, km, m)) return found;
    let slot = found === k ? k - 1 : found;
    while (slot > 0 && this.ranksAfter(slot - 1, km, m)) {
      this.bestKm[slot] = this.bestKm[slot - 1] as number;
      this.bestNo[slot] = this.bestNo[slot - 1] as number;
      slot--;
    }
    this.bestKm[slot] = km;
    this.bestNo[slot] = m;
    return found === k ? k : found + 1;
  }
}
