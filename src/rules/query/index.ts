// Every query rule, in the order of the design's catalog (shared/design/rules.md, "query").
import type { QueryRule } from '../types.js';
import { betweenTimestamps } from './between-timestamps.js';
import { countForExistence } from './count-for-existence.js';
import { exactCountLargeTable } from './exact-count-large-table.js';
import { implicitCrossJoin } from './implicit-cross-join.js';
import { leadingWildcardLike } from './leading-wildcard-like.js';
import { nonSargablePredicate } from './non-sargable-predicate.js';
import { notInSubquery } from './not-in-subquery.js';
import { offsetPagination } from './offset-pagination.js';
import { selectStar } from './select-star.js';
import { updateWithoutWhere } from './update-without-where.js';

export const queryRules: QueryRule[] = [
  offsetPagination,
  countForExistence,
  exactCountLargeTable,
  selectStar,
  notInSubquery,
  nonSargablePredicate,
  leadingWildcardLike,
  betweenTimestamps,
  updateWithoutWhere,
  implicitCrossJoin,
];
