// Migration rules about columns (one file per rule; this list only registers them).
import type { MigrationRule } from '../types.js';
import { addColumnSerial } from './add-column-serial.js';
import { addColumnNotNullNoDefault } from './add-column-not-null-no-default.js';
import { addColumnVolatileDefault } from './add-column-volatile-default.js';
import { addGeneratedStoredColumn } from './add-generated-stored-column.js';
import { changeColumnType } from './change-column-type.js';
import { dropColumn } from './drop-column.js';
import { dropNotNull } from './drop-not-null.js';
import { preferJsonb } from './prefer-jsonb.js';
import { renameColumn } from './rename-column.js';
import { setNotNull } from './set-not-null.js';

export const columnRules: MigrationRule[] = [addColumnVolatileDefault, addColumnNotNullNoDefault, addColumnSerial, addGeneratedStoredColumn, preferJsonb, changeColumnType, dropColumn, renameColumn, dropNotNull, setNotNull];
