// Find the migrations a path leads to, whatever tool wrote them: see layouts/ (one reader per tool).
export { describeSet, discoverMigrations, findMigrationSets, LAYOUT_NAMES, layoutByName, type FindOptions } from './layouts/index.js';
export type { LayoutName as MigrationLayout, Migration, MigrationSet, SetupFile, SkippedFile } from './layouts/index.js';
