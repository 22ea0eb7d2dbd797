// The card as a sales user sees it, with getRecord's answers emitted through sfdx-lwc-jest's test wire
// adapter. The i18n imports are Jest's: en-US, America/Los_Angeles, USD.
import { createElement } from 'lwc';
import LifecycleSyncCard from 'c/lifecycleSyncCard';
import { getRecord } from 'lightning/uiRecordApi';

const scoredContact = require('./records/scoredContact.json');
const unscoredContact = require('./records/unscoredContact.json');
const withoutFields = require('./records/withoutFields.json');

const ALL_STEMS = ['Stage', 'Stage_Reason', 'Stage_Changed_At', 'LTV', 'Predicted_CLV', 'Churn_Risk', 'Churn_Risk_Band', 'Value_Tier', 'Expected_Purchases_90d', 'Next_Action', 'Scored_At', 'Conversion_Likelihood'];

function mount(props = {}) {
    const element = createElement('c-lifecycle-sync-card', { is: LifecycleSyncCard });
    Object.assign(element, { recordId: '003000000000001AAA', objectApiName: 'Contact' }, props);
    document.body.appendChild(element);
    return element;
}

/** A copy of a record with some fields changed: { LCS_Churn_Risk_Band__c: { value, displayValue } }. */
function withFields(record, fields) {
    return { ...record, fields: { ...record.fields, ...fields } };
}

const flush = () => Promise.resolve();
const text = (element, selector) => {
    const node = element.shadowRoot.querySelector(selector);
    return node ? node.textContent.replace(/\s+/g, ' ').trim() : null;
};

afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
});

describe('c-lifecycle-sync-card', () => {
    it("asks getRecord for the plugin's fields on the page's object, as optional fields", async () => {
        mount();
        await flush();
        const config = getRecord.getLastConfig();
        expect(config.recordId).toBe('003000000000001AAA');
        expect(config.fields).toBeUndefined();
        expect(config.optionalFields).toEqual(ALL_STEMS.map((stem) => `Contact.LCS_${stem}__c`));
    });

    it('follows the field prefix and mapped fields set in Lightning App Builder, on an Account', async () => {
        mount({ objectApiName: 'Account', fieldPrefix: 'Acme_', fieldOverrides: 'stage=My_Stage__c; ltv = Revenue_To_Date__c' });
        await flush();
        const fields = getRecord.getLastConfig().optionalFields;
        expect(fields).toContain('Account.My_Stage__c');
        expect(fields).toContain('Account.Revenue_To_Date__c');
        expect(fields).toContain('Account.Acme_Churn_Risk__c');
        expect(fields).not.toContain('Account.Acme_Stage__c');
        expect(fields).toHaveLength(ALL_STEMS.length);
    });

    it('shows a spinner until the record arrives', async () => {
        const element = mount();
        await flush();
        expect(element.shadowRoot.querySelector('lightning-spinner')).not.toBeNull();
        getRecord.emit(scoredContact);
        await flush();
        expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
    });

    it('shows the scores formatted for the user: stage, reason, risk with band, money, tier, purchases, action, times', async () => {
        const element = mount();
        getRecord.emit(scoredContact);
        await flush();
        expect(text(element, '.stage')).toBe('Loyalty');
        expect(text(element, '.stage-reason')).toBe('3 purchases, last 41 days ago; 86 % likely still active → loyalty');
        // 09:30 UTC on 3 November is 01:30 in Los Angeles (standard time from 1 November 2026).
        expect(text(element, '.stage-since')).toMatch(/^In this stage since Nov 3, 2026, 1:30\sAM$/);
        expect(text(element, '.churn-risk')).toBe('42%');
        expect(text(element, '.band')).toBe('Medium');
        expect(text(element, '.predicted-clv')).toBe('$1,235');
        expect(text(element, '.ltv')).toBe('$980.50');
        expect(text(element, '.value-tier')).toBe('Top 20 %');
        expect(text(element, '.expected-purchases')).toBe('0.84');
        expect(text(element, '.next-action')).toBe('Invite them to the loyalty programme and reward repeat purchases.');
        expect(text(element, '.scored-at')).toMatch(/^Scored Dec 2, 2026, 6:05\sPM$/);
        expect(element.shadowRoot.querySelector('.not-scored')).toBeNull();
        expect(element.shadowRoot.querySelector('.no-access')).toBeNull();
        expect(element.shadowRoot.querySelector('.hidden-fields')).toBeNull();
    });

    it.each([
        ['low', 'Low', 'slds-theme_success'],
        ['medium', 'Medium', 'slds-theme_warning'],
        ['high', 'High', 'slds-theme_error']
    ])('colours the %s churn-risk band', async (value, label, theme) => {
        const element = mount();
        getRecord.emit(withFields(scoredContact, { LCS_Churn_Risk_Band__c: { value, displayValue: label } }));
        await flush();
        const badge = element.shadowRoot.querySelector('.band').parentElement;
        expect(badge.textContent.trim()).toBe(label);
        expect(badge.classList).toContain('slds-badge');
        expect(badge.classList).toContain(theme);
    });

    it('shows a dash and no band for a prospect, who has no churn risk', async () => {
        const element = mount();
        getRecord.emit(
            withFields(scoredContact, {
                LCS_Stage__c: { value: 'consideration', displayValue: 'Consideration' },
                LCS_Churn_Risk__c: { value: null, displayValue: null },
                LCS_Churn_Risk_Band__c: { value: null, displayValue: null },
                LCS_LTV__c: { value: 0, displayValue: null }
            })
        );
        await flush();
        expect(text(element, '.stage')).toBe('Consideration');
        expect(text(element, '.churn-risk')).toBe('—');
        expect(element.shadowRoot.querySelector('.band')).toBeNull();
        expect(text(element, '.ltv')).toBe('$0');
    });

    it('shows money in the currency set on the component', async () => {
        const element = mount({ currencyCode: 'EUR' });
        getRecord.emit(scoredContact);
        await flush();
        expect(text(element, '.predicted-clv')).toBe('€1,235');
    });

    it('follows a property changed in Lightning App Builder after the record arrived', async () => {
        const element = mount();
        getRecord.emit(scoredContact);
        await flush();
        expect(text(element, '.ltv')).toBe('$980.50');
        element.currencyCode = 'GBP';
        await flush();
        expect(text(element, '.ltv')).toBe('£980.50');
    });

    it('says "Not scored yet" when the fields are there but empty', async () => {
        const element = mount();
        getRecord.emit(unscoredContact);
        await flush();
        expect(text(element, '.not-scored .slds-text-heading_small')).toBe('Not scored yet');
        expect(text(element, '.not-scored .slds-text-color_weak')).toBe('Lifecycle Sync has not scored this Contact. Its scores appear after the next sync (nightly by default).');
        expect(element.shadowRoot.querySelector('.scored')).toBeNull();
        expect(element.shadowRoot.querySelector('.no-access')).toBeNull();
    });

    it('names the permission set when none of the fields came back (no field-level security)', async () => {
        const element = mount();
        getRecord.emit(withoutFields);
        await flush();
        const message = text(element, '.no-access');
        expect(message).toContain("You cannot see Lifecycle Sync's fields on this Contact.");
        expect(message).toContain('Lifecycle Sync read (Contact) (Lifecycle_Sync_Read_Contact)');
        expect(element.shadowRoot.querySelector('.scored')).toBeNull();
        expect(element.shadowRoot.querySelector('.not-scored')).toBeNull();
    });

    it("names the Account's permission set on an Account page", async () => {
        const element = mount({ objectApiName: 'Account' });
        getRecord.emit({ ...withoutFields, apiName: 'Account' });
        await flush();
        expect(text(element, '.no-access')).toContain('(Lifecycle_Sync_Read_Account)');
    });

    it('shows what it can see and lists the fields hidden from the user', async () => {
        const element = mount();
        const fields = { ...scoredContact.fields };
        delete fields.LCS_Predicted_CLV__c;
        delete fields.LCS_LTV__c;
        getRecord.emit({ ...scoredContact, fields });
        await flush();
        expect(text(element, '.stage')).toBe('Loyalty');
        expect(text(element, '.predicted-clv')).toBe('—');
        expect(text(element, '.hidden-fields')).toBe('Not visible to you: Lifetime value to date, Predicted CLV (permission set Lifecycle Sync read (Contact)).');
    });

    it("shows getRecord's error", async () => {
        const element = mount();
        getRecord.error({ message: 'The requested resource does not exist' }, 404, 'Not Found');
        await flush();
        expect(text(element, '.error')).toBe("Lifecycle Sync's scores could not be loaded: The requested resource does not exist");
        expect(element.shadowRoot.querySelector('lightning-spinner')).toBeNull();
        expect(element.shadowRoot.querySelector('.scored')).toBeNull();
    });

    it('says which property is mistyped, and still shows the other fields', async () => {
        const element = mount({ fieldOverrides: 'stage=My_Stage, ltv=Revenue__c' });
        await flush();
        expect(getRecord.getLastConfig().optionalFields).toContain('Contact.Revenue__c');
        getRecord.emit(scoredContact);
        await flush();
        expect(text(element, '.config-problem')).toContain('"stage=My_Stage" is not a field key');
        expect(text(element, '.churn-risk')).toBe('42%');
    });
});
