// tsc compiles TypeScript only: the dashboard's browser files are copied next to the compiled server.
import { cpSync } from 'node:fs';

cpSync('src/monitor/dashboard/assets', 'dist/monitor/dashboard/assets', { recursive: true });
