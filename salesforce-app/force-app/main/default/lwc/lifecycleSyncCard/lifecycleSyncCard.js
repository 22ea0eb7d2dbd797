/**
 * Lifecycle Sync's fields on a Contact or Account record page. Read through Lightning Data Service
 * (getRecord) only: no Apex, no callout. The fields are asked for as optionalFields, so a user without
 * field-level security on them, or an object Lifecycle Sync does not write to, gets a record without them
 * (and the card says which permission set to assign) instead of an error.
 */
import { LightningElement, api, wire } from 'lwc';
import { getRecord } from 'lightning/uiRecordApi';
import LOCALE from '@salesforce/i18n/locale';
import TIME_ZONE from '@salesforce/i18n/timeZone';
import USER_CURRENCY from '@salesforce/i18n/currency';
import { cardView, errorText, fieldApiNames, formatters, permissionSetFor } from './card';

// Outside the component's fields: a cache written while rendering must not be reactive state.
const views = new WeakMap();

export default class LifecycleSyncCard extends LightningElement {
    /** Set by the record page. */
    @api recordId;
    @api objectApiName;
    /** Lightning App Builder properties (js-meta.xml): the connector's salesforce.fieldPrefix and fieldNames. */
    @api fieldPrefix = 'LCS_';
    @api fieldOverrides = '';
    /** The currency of LTV and CLV (classifier.ltv.currency); empty: the user's currency. */
    @api currencyCode = '';

    record;
    error;

    get fieldNames() {
        return fieldApiNames(this.fieldPrefix, this.fieldOverrides);
    }

    get optionalFields() {
        if (!this.objectApiName) return [];
        return Object.values(this.fieldNames.names).map((name) => `${this.objectApiName}.${name}`);
    }

    @wire(getRecord, { recordId: '$recordId', optionalFields: '$optionalFields' })
    wiredRecord({ data, error }) {
        this.record = data;
        this.error = error;
    }

    /** A mistyped property in Lightning App Builder: shown above the card's state, the other fields still read. */
    get configProblems() {
        const problems = this.fieldNames.problems;
        return problems.length > 0 ? problems.join('; ') : null;
    }

    /** What to show, computed once per record and properties (the template reads it a dozen times a render). */
    get view() {
        if (!this.record) return null;
        const inputs = [this.record, this.fieldPrefix, this.fieldOverrides, this.currencyCode];
        const cached = views.get(this);
        if (cached && cached.inputs.every((v, i) => v === inputs[i])) return cached.view;
        const currency = /^[A-Z]{3}$/.test(this.currencyCode || '') ? this.currencyCode : USER_CURRENCY;
        const view = cardView(this.record, this.fieldNames.names, formatters(LOCALE, TIME_ZONE, currency));
        views.set(this, { inputs, view });
        return view;
    }

    get isLoading() {
        return !this.record && !this.error;
    }

    get errorMessage() {
        return this.error ? errorText(this.error) : null;
    }

    get isHidden() {
        return this.view !== null && this.view.state === 'hidden';
    }

    get isNotScored() {
        return this.view !== null && this.view.state === 'notScored';
    }

    get scored() {
        return this.view !== null && this.view.state === 'scored' ? this.view : null;
    }

    get hiddenFields() {
        const labels = this.view && this.view.hiddenLabels ? this.view.hiddenLabels : [];
        return labels.length > 0 ? labels.join(', ') : null;
    }

    get objectLabel() {
        return this.objectApiName || 'record';
    }

    get permissionSet() {
        return permissionSetFor(this.objectApiName);
    }
}
