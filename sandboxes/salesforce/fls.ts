/**
 * Field-level security. Standard fields are visible to the integration user (its profile grants them).
 * Custom fields are visible only through a FieldPermissions row (PermissionsRead / PermissionsEdit) in a
 * permission set assigned to the user; a field created through the Metadata API has none, so until an
 * admin (or the plugin's setup) grants it, queries, describe and writes behave as if it did not exist.
 * Access is recomputed only when a permission record or the schema changes.
 */
import type { SchemaRegistry } from './registry.ts';
import type { FieldDef } from './schema.ts';
import type { Store } from './store.ts';

export interface FieldAccess {
  read: boolean;
  edit: boolean;
}

const FULL: FieldAccess = { read: true, edit: true };
const NONE: FieldAccess = { read: false, edit: false };

export class FieldSecurity {
  private readonly store: Store;
  private version = 0;
  private readonly cache = new Map<string, { version: number; grants: Map<string, FieldAccess> }>();

  constructor(store: Store, registry: SchemaRegistry) {
    this.store = store;
    registry.onChange(() => this.invalidate());
  }

  /** Called on any write to PermissionSet, FieldPermissions or PermissionSetAssignment. */
  invalidate(): void {
    this.version++;
  }

  /** `userId` null is the sandbox itself (seeding, test setup): it sees and edits everything. */
  access(userId: string | null, objectName: string, field: FieldDef): FieldAccess {
    if (userId === null || !field.permissionable) return FULL;
    return this.grants(userId).get(`${objectName}.${field.name}`.toLowerCase()) ?? NONE;
  }

  canRead(userId: string | null, objectName: string, field: FieldDef): boolean {
    return this.access(userId, objectName, field).read;
  }

  private grants(userId: string): Map<string, FieldAccess> {
    const cached = this.cache.get(userId);
    if (cached !== undefined && cached.version === this.version) return cached.grants;
    const grants = new Map<string, FieldAccess>();
    const assignments = this.store.table('PermissionSetAssignment');
    const permissions = this.store.table('FieldPermissions');
    const sets = this.store.table('PermissionSet');
    for (const seq of assignments.childSeqs('AssigneeId', userId)) {
      const a = assignments.at(seq);
      if (a === undefined || a.IsDeleted === true || typeof a.PermissionSetId !== 'string') continue;
      const set = sets.get(a.PermissionSetId);
      if (set === undefined || set.IsDeleted === true) continue;
      for (const p of permissions.childSeqs('ParentId', a.PermissionSetId)) {
        const row = permissions.at(p);
        if (row === undefined || row.IsDeleted === true || typeof row.Field !== 'string') continue;
        const key = row.Field.toLowerCase();
        const before = grants.get(key) ?? NONE;
        // Permission sets add up: the union of every assigned set's grants.
        grants.set(key, { read: before.read || row.PermissionsRead === true, edit: before.edit || row.PermissionsEdit === true });
      }
    }
    this.cache.set(userId, { version: this.version, grants });
    return grants;
  }
}
