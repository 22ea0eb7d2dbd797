/**
 * What the card shows, decided from the record getRecord returned: plain functions with no Salesforce
 * import, so the component only wires and renders. Field names follow the connector
 * (connectors/salesforce/settings.ts): the prefix (salesforce.fieldPrefix) plus a stem plus __c, unless a
 * field is mapped to another custom field (salesforce.fieldNames).
 */

/** The connector's stems, by the contract's field keys (connectors/contract/fields.ts). */
export const FIELD_STEMS = Object.freeze({
    stage: 'Stage',
    stageReason: 'Stage_Reason',
    stageChangedAt: 'Stage_Changed_At',
    ltv: 'LTV',
    predictedClv: 'Predicted_CLV',
    churnRisk: 'Churn_Risk',
    churnRiskBand: 'Churn_Risk_Band',
    valueTier: 'Value_Tier',
    expectedPurchases: 'Expected_Purchases_90d',
    nextAction: 'Next_Action',
    scoredAt: 'Scored_At',
    conversionLikelihood: 'Conversion_Likelihood'
});

/** The fields' labels as the engine creates them (src/sync/fields.ts), less the parts set by configuration (test/salesforce/recordCard.test.ts). */
export const FIELD_LABELS = Object.freeze({
    stage: 'Lifecycle stage',
    stageReason: 'Lifecycle stage reason',
    stageChangedAt: 'Lifecycle stage changed at',
    ltv: 'Lifetime value to date',
    predictedClv: 'Predicted CLV',
    churnRisk: 'Churn risk (%)',
    churnRiskBand: 'Churn risk band',
    valueTier: 'Value tier',
    expectedPurchases: 'Expected purchases',
    nextAction: 'Next best action',
    scoredAt: 'Lifecycle scored at',
    conversionLikelihood: 'Conversion likelihood (%)'
});

const KEYS = Object.keys(FIELD_STEMS);
const PREFIX = /^[A-Za-z][A-Za-z0-9]*_?$/;
const CUSTOM_FIELD = /^[A-Za-z][A-Za-z0-9_]*__c$/;
const EMPTY = '—';

/**
 * The field API names for a prefix and the overrides typed in Lightning App Builder
 * ("stage=My_Stage__c, ltv=My_LTV__c"), with what is wrong in either, in words.
 */
export function fieldApiNames(prefix, overridesText) {
    const problems = [];
    const usedPrefix = typeof prefix === 'string' && prefix !== '' ? prefix : 'LCS_';
    if (!PREFIX.test(usedPrefix)) problems.push(`the field prefix "${usedPrefix}" is not letters and digits, optionally ending in one underscore`);
    const names = {};
    for (const key of KEYS) names[key] = `${usedPrefix}${FIELD_STEMS[key]}__c`;
    const entries = typeof overridesText === 'string' ? overridesText.split(/[,;\n]/) : [];
    for (const entry of entries.map((e) => e.trim()).filter((e) => e !== '')) {
        const [key, name, extra] = entry.split('=').map((part) => part.trim());
        if (extra !== undefined || !KEYS.includes(key) || !CUSTOM_FIELD.test(name || '')) {
            problems.push(`"${entry}" is not a field key (${KEYS.join(', ')}) = a custom field API name ending in __c`);
        } else {
            names[key] = name;
        }
    }
    return { names, problems };
}

/** The read-only permission set shipped for an object (salesforce-app/access/). */
export function permissionSetFor(objectApiName) {
    return { name: `Lifecycle_Sync_Read_${objectApiName}`, label: `Lifecycle Sync read (${objectApiName})` };
}

/** A wire error's message: UI API errors carry `body.message`, or a list of `{ message }`. */
export function errorText(error) {
    const body = error ? error.body : undefined;
    const messages = Array.isArray(body) ? body.map((b) => (b ? b.message : undefined)) : [body ? body.message : undefined];
    const text = messages.filter((m) => typeof m === 'string' && m !== '').join('; ');
    if (text !== '') return text;
    return error && typeof error.statusText === 'string' && error.statusText !== '' ? error.statusText : 'unknown error';
}

/** Formatting in the user's locale and time zone; money in `currency` (an ISO 4217 code). */
export function formatters(locale, timeZone, currency) {
    const number = (digits) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
    let money;
    try {
        money = {
            whole: new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 0, minimumFractionDigits: 0 }),
            cents: new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 2, minimumFractionDigits: 2 })
        };
    } catch {
        // Not a currency code Intl knows: the amount with the code after it.
        money = null;
    }
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
    const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
    return {
        money: (v) => (money ? (Number.isInteger(v) ? money.whole : money.cents).format(v) : `${number(2).format(v)} ${currency}`),
        percent: (v) => percent.format(v / 100),
        count: (v) => number(2).format(v),
        dateTime: (v) => {
            const date = new Date(v);
            return Number.isNaN(date.getTime()) ? String(v) : dateTime.format(date);
        }
    };
}

const BAND_CLASS = Object.freeze({
    low: 'slds-badge slds-theme_success',
    medium: 'slds-badge slds-theme_warning',
    high: 'slds-badge slds-theme_error'
});

/**
 * The card's state for a record: `hidden` when none of the plugin's fields came back (getRecord's
 * optionalFields leaves out fields the user cannot read, and fields the object does not have),
 * `notScored` when they are there but empty, else `scored` with every value formatted (an empty value
 * is a dash). `hiddenLabels` names the fields that did not come back when others did.
 */
export function cardView(record, names, format) {
    const fields = record && record.fields ? record.fields : {};
    const entry = (key) => fields[names[key]];
    const visible = KEYS.filter((key) => entry(key) !== undefined);
    if (visible.length === 0) return { state: 'hidden' };
    const hiddenLabels = KEYS.filter((key) => entry(key) === undefined).map((key) => FIELD_LABELS[key]);
    const raw = (key) => {
        const e = entry(key);
        return e === undefined || e.value === null || e.value === undefined || e.value === '' ? null : e.value;
    };
    if (raw('stage') === null && raw('scoredAt') === null) return { state: 'notScored', hiddenLabels };
    // Picklists come with their labels as the display value ("Top 20 %", "Loyalty").
    const label = (key) => {
        const e = entry(key);
        if (raw(key) === null) return EMPTY;
        return typeof e.displayValue === 'string' && e.displayValue !== '' ? e.displayValue : String(e.value);
    };
    const formatted = (key, how) => {
        const v = raw(key);
        return v === null ? EMPTY : how(v);
    };
    const numeric = (how) => (v) => (typeof v === 'number' ? how(v) : String(v));
    const band = raw('churnRiskBand');
    return {
        state: 'scored',
        hiddenLabels,
        stage: label('stage'),
        stageSince: raw('stageChangedAt') === null ? null : format.dateTime(raw('stageChangedAt')),
        stageReason: raw('stageReason') === null ? null : String(raw('stageReason')),
        churnRisk: formatted('churnRisk', numeric(format.percent)),
        band: band === null ? null : { label: label('churnRiskBand'), className: BAND_CLASS[band] || 'slds-badge' },
        predictedClv: formatted('predictedClv', numeric(format.money)),
        ltv: formatted('ltv', numeric(format.money)),
        valueTier: label('valueTier'),
        expectedPurchases: formatted('expectedPurchases', numeric(format.count)),
        nextAction: raw('nextAction') === null ? EMPTY : String(raw('nextAction')),
        scoredAt: formatted('scoredAt', format.dateTime),
        // Prospects only: empty (and not shown) once the customer has bought.
        conversionLikelihood: raw('conversionLikelihood') === null ? null : formatted('conversionLikelihood', numeric(format.percent))
    };
}
