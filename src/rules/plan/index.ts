// The plan rules (EXPLAIN insights), one file each with its .cases.sql.
import type { PlanRule } from '../types.js';
import { heapFetches } from './heap-fetches.js';
import { lossyBitmap } from './lossy-bitmap.js';
import { nestedLoopInnerScan } from './nested-loop-inner-scan.js';
import { rowEstimateMismatch } from './row-estimate-mismatch.js';
import { rowsRemovedByFilter } from './rows-removed-by-filter.js';
import { seqScanFilter } from './seq-scan-filter.js';
import { slowPlanning } from './slow-planning.js';
import { sortSpill } from './sort-spill.js';

export const planRules: PlanRule[] = [seqScanFilter, rowEstimateMismatch, sortSpill, rowsRemovedByFilter, nestedLoopInnerScan, heapFetches, lossyBitmap, slowPlanning];
