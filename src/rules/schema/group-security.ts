// Schema rules about row level security, policies, views and functions exposed to clients (one file per rule; this list only registers them).
import type { SchemaRule } from '../types.js';
import { functionSearchPath } from './function-search-path.js';
import { multiplePermissivePolicies } from './multiple-permissive-policies.js';
import { policyAlwaysTrue } from './policy-always-true.js';
import { policyWithoutRls } from './policy-without-rls.js';
import { rlsDisabled } from './rls-disabled.js';
import { rlsInitplan } from './rls-initplan.js';
import { rlsNoPolicy } from './rls-no-policy.js';
import { securityDefinerView } from './security-definer-view.js';

export const securityRules: SchemaRule[] = [
  rlsDisabled,
  rlsNoPolicy,
  rlsInitplan,
  multiplePermissivePolicies,
  policyWithoutRls,
  policyAlwaysTrue,
  securityDefinerView,
  functionSearchPath,
];
