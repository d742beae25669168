// The config file's zod schema as a value, for library users (src/index.ts). pgarch itself calls
// configSchema() when it reads a file, so a run without one never loads zod (see config.ts).
import { configSchema } from './config.js';

export const ConfigSchema = configSchema();
