/**
 * Record writes: value validation, HubSpot's derived fields (deal closed/won flags, home-currency
 * amount, automatic close date) and the modification timestamps every write bumps.
 */
import { HubSpotError, invalidValues, type ValueIssue } from './errors.ts';
import { iso } from './http.ts';
import type { PropertyRegistry } from './properties.ts';
import { MODIFIED_PROPERTY, findStage, type ObjectType } from './schema.ts';
import type { Snap, Store } from './store.ts';
import { normalizeValue, readOnlyIssue, unknownPropertyIssue } from './validation.ts';

/** Validated property changes; null clears a value. */
export type Changes = Record<string, string | null>;

/** Told of every write: the new version, and the one it replaced (none on a creation). */
export type WriteListener = (type: ObjectType, snap: Snap, previous: Snap | undefined) => void;

const REQUIRED_ON_CREATE: Record<ObjectType, readonly string[]> = {
  contacts: [],
  companies: [],
  deals: ['dealname', 'dealstage', 'pipeline'],
};

export class RecordWriter {
  private readonly store: Store;
  private readonly registry: PropertyRegistry;
  private readonly clock: () => number;
  private readonly listeners: WriteListener[] = [];
  /** The account's portal id, which HubSpot echoes in value errors. */
  readonly portalId: number;

  constructor(store: Store, registry: PropertyRegistry, clock: () => number, portalId: number) {
    this.store = store;
    this.registry = registry;
    this.clock = clock;
    this.portalId = portalId;
  }

  onWrite(listener: WriteListener): void {
    this.listeners.push(listener);
  }

  /** Checks raw input values; collects every problem so one 400 can list them all, as HubSpot does. */
  check(type: ObjectType, input: Readonly<Record<string, string>>, previous?: Snap): { changes: Changes; issues: ValueIssue[] } {
    const changes: Changes = {};
    const issues: ValueIssue[] = [];
    for (const [name, value] of Object.entries(input)) {
      const def = this.registry.get(type, name);
      if (def === undefined) issues.push(unknownPropertyIssue(name));
      else if (def.readOnlyValue) issues.push(readOnlyIssue(name, value));
      else {
        const result = normalizeValue(def, value, previous?.props[name]);
        if (result.ok) changes[name] = result.value;
        else issues.push(result.issue);
      }
    }
    if (type === 'deals') issues.push(...this.checkDeal(changes, previous));
    return { changes, issues };
  }

  private checkDeal(changes: Changes, previous?: Snap): ValueIssue[] {
    const issues: ValueIssue[] = [];
    const value = (name: string): string | null | undefined => (name in changes ? changes[name] : previous?.props[name]);
    for (const name of REQUIRED_ON_CREATE.deals) {
      if (previous === undefined ? !value(name) : changes[name] === null) {
        issues.push({ name, error: 'REQUIRED_PROPERTY', message: `${name} is required` });
      }
    }
    const pipeline = value('pipeline');
    const stage = value('dealstage');
    if (pipeline && stage && ('pipeline' in changes || 'dealstage' in changes) && findStage(pipeline, stage) === undefined) {
      issues.push({ name: 'dealstage', error: 'INVALID_OPTION', message: `${stage} is not a valid stage of pipeline ${pipeline}`, propertyValue: stage });
    }
    return issues;
  }

  /** Validates and throws the HubSpot 400 on any problem. */
  checkOrThrow(type: ObjectType, input: Readonly<Record<string, string>>, previous?: Snap): Changes {
    const { changes, issues } = this.check(type, input, previous);
    if (issues.length > 0) throw invalidValues(issues, this.portalId);
    this.checkEmail(type, changes, previous?.id);
    return changes;
  }

  /** Contact emails are unique: HubSpot answers 409 CONFLICT naming the existing record. */
  checkEmail(type: ObjectType, changes: Changes, selfId?: string): void {
    const email = changes.email;
    if (type !== 'contacts' || !email) return;
    const existing = this.store.emails.get(email.toLowerCase());
    if (existing !== undefined && existing !== selfId) {
      throw new HubSpotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing}`);
    }
  }

  create(type: ObjectType, changes: Changes): Snap {
    const table = this.store.table(type);
    const now = this.clock();
    const num = table.nextNum();
    const id = String(num);
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(changes)) if (v !== null) props[k] = v;
    props.hs_object_id = id;
    // createdate may be set on create (imports do); createdAt mirrors it.
    props.createdate ??= iso(now);
    props[MODIFIED_PROPERTY[type]] = iso(now);
    if (type === 'deals') this.deriveDeal(props, undefined, now);
    const snap: Snap = { id, num, props, createdAt: Date.parse(props.createdate), updatedAt: now, archived: false };
    this.commit(type, snap, undefined);
    return snap;
  }

  update(type: ObjectType, previous: Snap, changes: Changes): Snap {
    // Strictly increasing per record, even when the clock has not moved (incremental sync relies on it).
    const now = Math.max(this.clock(), previous.updatedAt + 1);
    const props: Record<string, string> = { ...previous.props };
    for (const [k, v] of Object.entries(changes)) {
      if (v !== null) props[k] = v;
      else if (k !== 'createdate') delete props[k];
    }
    props[MODIFIED_PROPERTY[type]] = iso(now);
    if (type === 'deals') this.deriveDeal(props, previous.props, now);
    const snap: Snap = { ...previous, props, createdAt: Date.parse(props.createdate), updatedAt: now, keys: undefined };
    this.commit(type, snap, previous);
    return snap;
  }

  archive(type: ObjectType, previous: Snap): Snap {
    const now = this.clock();
    const snap: Snap = { ...previous, archived: true, archivedAt: now, keys: undefined };
    this.commit(type, snap, previous);
    return snap;
  }

  /** hs_is_closed / hs_is_closed_won from the stage metadata; close date set on entering a closed stage. */
  private deriveDeal(props: Record<string, string>, before: Readonly<Record<string, string>> | undefined, now: number): void {
    const stage = findStage(props.pipeline, props.dealstage);
    const closed = stage?.isClosed === true;
    props.hs_is_closed = String(closed);
    props.hs_is_closed_won = String(closed && Number(stage.probability) === 1);
    if (props.amount === undefined) delete props.amount_in_home_currency;
    else props.amount_in_home_currency = props.amount; // single-currency portal
    // Stage calculated properties: when the deal entered its stage (set on entering it, kept after).
    if (props.dealstage !== undefined && before?.dealstage !== props.dealstage) props[`hs_date_entered_${props.dealstage}`] = iso(now);
    const enteredClosed = closed && before?.dealstage !== props.dealstage;
    if (enteredClosed && props.closedate === undefined) props.closedate = iso(now);
  }

  private commit(type: ObjectType, snap: Snap, previous: Snap | undefined): void {
    if (type === 'contacts') {
      const before = previous && !previous.archived ? previous.props.email : undefined;
      const after = snap.archived ? undefined : snap.props.email;
      if (before !== undefined && before !== after) this.store.emails.delete(before.toLowerCase());
      if (after !== undefined) this.store.emails.set(after.toLowerCase(), snap.id);
    }
    this.store.table(type).put(snap);
    for (const l of this.listeners) l(type, snap, previous);
  }
}
