// SOQL as the REST query resource reads it: the documented grammar (AND/OR need parentheses), string
// escapes, typed literals, relationship paths, subqueries and the documented errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asQuery, firstError, soql, start, type Started } from './helpers.ts';

const NOW = Date.parse('2026-06-10T08:00:00Z');
let s: Started;
const ids: Record<string, string> = {};

beforeAll(async () => {
  s = await start({ clock: () => NOW, multiCurrency: { corporate: 'USD', rates: { EUR: 0.5, GBP: 0.8 } } }, (sb) => {
    const d = sb.data;
    ids.acme = d.createAccount({ Name: 'Acme' });
    ids.globex = d.createAccount({ Name: 'Globex' });
    ids.ada = d.createContact({ FirstName: 'Ada', LastName: 'Adams', Email: 'ada@example.com', AccountId: ids.acme, NPS_Score__c: 10, Birthdate: '1990-01-02', CreatedDate: '2026-06-01T10:00:00Z' });
    ids.ben = d.createContact({ FirstName: 'Ben', LastName: 'Baker', Email: 'ben@example.com', AccountId: ids.acme, NPS_Score__c: 3, CreatedDate: '2026-05-01T00:00:00Z', HasOptedOutOfEmail: true });
    ids.obrien = d.createContact({ FirstName: 'Cian', LastName: "O'Brien", Email: null, CreatedDate: '2026-06-10T07:00:00Z', Title: 'line1\nline2' });
    ids.back = d.createContact({ FirstName: 'Dana', LastName: 'back\\slash', Email: 'dana@example.com', AccountId: ids.globex, CreatedDate: '2025-01-01T00:00:00Z' });
    ids.percent = d.createContact({ FirstName: null, LastName: 'Ter%ry', Title: 'Café owner' });
    ids.opp1 = d.createOpportunity({ Name: 'Big', StageName: 'Closed Won', CloseDate: '2026-06-01', Amount: 1000, AccountId: ids.acme, CurrencyIsoCode: 'EUR' }, [ids.ada, ids.ben]);
    ids.opp2 = d.createOpportunity({ Name: 'Small', StageName: 'Prospecting', CloseDate: '2026-07-01', Amount: 100, AccountId: ids.acme }, [ids.ben]);
  });
});

afterAll(async () => {
  await s.close();
});

async function lastNames(q: string): Promise<string[]> {
  return asQuery(await soql(s.url, q)).records.map((r) => String(r.LastName));
}

describe('logical operators', () => {
  it('refuses AND and OR mixed without parentheses, as SOQL does', async () => {
    const r = await soql(s.url, "SELECT Id FROM Contact WHERE LastName = 'Adams' AND FirstName = 'Ada' OR LastName = 'Baker'");
    expect(r.status).toBe(400);
    expect(firstError(r).errorCode).toBe('MALFORMED_QUERY');
    expect(firstError(r).message).toContain("unexpected token: 'OR'");
    expect(firstError(r).message).toMatch(/ERROR at Row:1:Column:\d+/);
  });

  it('groups with parentheses either way', async () => {
    expect(await lastNames("SELECT LastName FROM Contact WHERE (LastName = 'Adams' AND FirstName = 'Ben') OR LastName = 'Baker' ORDER BY LastName")).toEqual(['Baker']);
    expect(await lastNames("SELECT LastName FROM Contact WHERE LastName = 'Adams' AND (FirstName = 'Ben' OR FirstName = 'Ada')")).toEqual(['Adams']);
    expect(await lastNames("SELECT LastName FROM Contact WHERE LastName != 'Adams' AND LastName != 'Baker' AND FirstName != null ORDER BY LastName")).toEqual(["back\\slash", "O'Brien"]);
  });

  it('takes NOT before a single expression, and needs parentheses to combine it', async () => {
    expect(await lastNames("SELECT LastName FROM Contact WHERE NOT LastName LIKE '%a%' ORDER BY LastName")).toEqual(["O'Brien", 'Ter%ry']);
    expect(await lastNames("SELECT LastName FROM Contact WHERE AccountId != null AND (NOT LastName = 'Adams') ORDER BY LastName")).toEqual(['back\\slash', 'Baker']);
    const r = await soql(s.url, "SELECT Id FROM Contact WHERE AccountId != null AND NOT LastName = 'Adams'");
    expect(firstError(r).errorCode).toBe('MALFORMED_QUERY');
  });
});

describe('string literals', () => {
  it('decodes the documented escape sequences', async () => {
    expect(await lastNames("SELECT LastName FROM Contact WHERE LastName = 'O\\'Brien'")).toEqual(["O'Brien"]);
    expect(await lastNames("SELECT LastName FROM Contact WHERE LastName = 'back\\\\slash'")).toEqual(['back\\slash']);
    expect(await lastNames("SELECT LastName FROM Contact WHERE Title = 'Caf\\u00e9 owner'")).toEqual(['Ter%ry']);
    expect(await lastNames("SELECT LastName FROM Contact WHERE Title = 'line1\\nline2'")).toEqual(["O'Brien"]);
  });

  it('rejects other backslash sequences, and \\% outside LIKE', async () => {
    for (const q of ["SELECT Id FROM Contact WHERE LastName = 'a\\qb'", "SELECT Id FROM Contact WHERE LastName = 'Ter\\%ry'", "SELECT Id FROM Contact WHERE LastName = 'open"]) {
      const r = await soql(s.url, q);
      expect(r.status, q).toBe(400);
      expect(firstError(r).errorCode, q).toBe('MALFORMED_QUERY');
    }
  });

  it('LIKE matches case-insensitively with % and _, and \\% matches a literal percent sign', async () => {
    expect(await lastNames("SELECT LastName FROM Contact WHERE LastName LIKE 'ad%'")).toEqual(['Adams']);
    expect(await lastNames("SELECT LastName FROM Contact WHERE LastName LIKE 'B_KER'")).toEqual(['Baker']);
    expect(await lastNames("SELECT LastName FROM Contact WHERE LastName LIKE 'Ter\\%%'")).toEqual(['Ter%ry']);
    expect(await lastNames("SELECT LastName FROM Contact WHERE LastName LIKE 'Ter\\%'")).toEqual([]);
  });

  it('compares text case-insensitively, and != matches records without a value', async () => {
    expect(await lastNames("SELECT LastName FROM Contact WHERE lastname = 'ADAMS'")).toEqual(['Adams']);
    expect(await lastNames("SELECT LastName FROM Contact WHERE Email != 'ada@example.com' ORDER BY LastName")).toEqual(['back\\slash', 'Baker', "O'Brien", 'Ter%ry']);
  });
});

describe('typed literals', () => {
  it('numbers, booleans and null', async () => {
    expect(await lastNames('SELECT LastName FROM Contact WHERE NPS_Score__c >= 9')).toEqual(['Adams']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE NPS_Score__c < 9.5 AND NPS_Score__c > -1')).toEqual(['Baker']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE HasOptedOutOfEmail = TRUE')).toEqual(['Baker']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE Email = null ORDER BY LastName')).toEqual(["O'Brien", 'Ter%ry']);
  });

  it('date and datetime literals, unquoted, with a zone offset or Z and optional millis', async () => {
    expect(await lastNames('SELECT LastName FROM Contact WHERE Birthdate = 1990-01-02')).toEqual(['Adams']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE CreatedDate = 2026-06-01T10:00:00Z')).toEqual(['Adams']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE CreatedDate = 2026-06-01T12:00:00+02:00')).toEqual(['Adams']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE CreatedDate >= 2026-06-01T10:00:00.000Z AND CreatedDate < 2026-06-10T07:00:00Z')).toEqual(['Adams']);
  });

  it('date literals are ranges of days relative to today (UTC)', async () => {
    // Ter%ry was created without a CreatedDate, so at the sandbox clock's now.
    expect(await lastNames('SELECT LastName FROM Contact WHERE CreatedDate = TODAY ORDER BY LastName')).toEqual(["O'Brien", 'Ter%ry']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE CreatedDate = LAST_N_DAYS:10 ORDER BY LastName')).toEqual(['Adams', "O'Brien", 'Ter%ry']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE CreatedDate < LAST_N_DAYS:60 ORDER BY LastName')).toEqual(['back\\slash']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE CreatedDate = LAST_MONTH')).toEqual(['Baker']);
  });

  it('refuses literals of the wrong type for the field', async () => {
    const cases: [string, string][] = [
      ['SELECT Id FROM Contact WHERE Birthdate = 2020-01-01T00:00:00Z', 'INVALID_FIELD'],
      ['SELECT Id FROM Contact WHERE CreatedDate > 2020-01-01', 'INVALID_FIELD'],
      ["SELECT Id FROM Contact WHERE NPS_Score__c = '9'", 'INVALID_FIELD'],
      ['SELECT Id FROM Contact WHERE LastName = 9', 'INVALID_FIELD'],
      ["SELECT Id FROM Contact WHERE AccountId = 'not-an-id'", 'INVALID_QUERY_FILTER_OPERATOR'],
      ['SELECT Id FROM Contact WHERE CreatedDate > SOMEDAY', 'MALFORMED_QUERY'],
    ];
    for (const [q, code] of cases) {
      const r = await soql(s.url, q);
      expect(r.status, q).toBe(400);
      expect(firstError(r).errorCode, q).toBe(code);
    }
    expect(firstError(await soql(s.url, "SELECT Id FROM Contact WHERE NPS_Score__c = '9'")).message).toContain("value of filter criterion for field 'NPS_Score__c' must be of type double and should not be enclosed in quotes");
  });

  it('IN and NOT IN take lists, and 15-character ids work like 18-character ones', async () => {
    expect(await lastNames("SELECT LastName FROM Contact WHERE LastName IN ('Adams', 'baker') ORDER BY LastName")).toEqual(['Adams', 'Baker']);
    expect(await lastNames(`SELECT LastName FROM Contact WHERE Id IN ('${ids.ada.slice(0, 15)}', '${ids.ben}') ORDER BY LastName`)).toEqual(['Adams', 'Baker']);
    expect(await lastNames(`SELECT LastName FROM Contact WHERE AccountId NOT IN ('${ids.acme}') ORDER BY LastName`)).toEqual(['back\\slash', "O'Brien", 'Ter%ry']);
  });
});

describe('fields, relationships and clauses', () => {
  it('returns canonical field names whatever the case asked, with attributes', async () => {
    const r = asQuery(await soql(s.url, `select id, lastname, EMAIL from contact where id = '${ids.ada}'`));
    expect(r.records[0]).toEqual({ attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${ids.ada}` }, Id: ids.ada, LastName: 'Adams', Email: 'ada@example.com' });
  });

  it('follows parent relationships, in SELECT and WHERE; an empty lookup is null', async () => {
    const r = asQuery(await soql(s.url, "SELECT LastName, Account.Name FROM Contact WHERE Account.Name = 'acme' OR LastName = 'Ter%ry' ORDER BY LastName"));
    expect(r.records.map((x) => [x.LastName, (x.Account as { Name?: string } | null)?.Name ?? null])).toEqual([['Adams', 'Acme'], ['Baker', 'Acme'], ['Ter%ry', null]]);
    expect(r.records[2].Account).toBeNull();
    const roles = asQuery(await soql(s.url, "SELECT Opportunity.Account.Name, Contact.LastName FROM OpportunityContactRole WHERE Opportunity.IsWon = true ORDER BY Contact.LastName"));
    expect(roles.records.map((x) => (x.Contact as { LastName: string }).LastName)).toEqual(['Adams', 'Baker']);
    expect((roles.records[0].Opportunity as { Account: { Name: string } }).Account.Name).toBe('Acme');
  });

  it('orders by several keys, ASC/DESC, NULLS FIRST/LAST, with LIMIT and OFFSET', async () => {
    expect(await lastNames('SELECT LastName FROM Contact ORDER BY Email NULLS LAST, LastName DESC')).toEqual(['Adams', 'Baker', 'back\\slash', 'Ter%ry', "O'Brien"]);
    expect(await lastNames('SELECT LastName FROM Contact ORDER BY Email DESC NULLS FIRST, LastName LIMIT 3')).toEqual(["O'Brien", 'Ter%ry', 'back\\slash']);
    expect(await lastNames('SELECT LastName FROM Contact ORDER BY LastName LIMIT 2 OFFSET 1')).toEqual(['back\\slash', 'Baker']);
    const r = await soql(s.url, 'SELECT Id FROM Contact OFFSET 2001');
    expect(firstError(r).errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
  });

  it('nests child subqueries, null when there are none', async () => {
    const r = asQuery(await soql(s.url, "SELECT Name, (SELECT ContactId, Role, IsPrimary FROM OpportunityContactRoles ORDER BY IsPrimary DESC) FROM Opportunity ORDER BY Name"));
    const big = r.records[0].OpportunityContactRoles as { totalSize: number; done: boolean; records: Record<string, unknown>[] };
    expect(big.totalSize).toBe(2);
    expect(big.done).toBe(true);
    expect(big.records.map((x) => [x.ContactId, x.IsPrimary])).toEqual([[ids.ada, true], [ids.ben, false]]);
    const contacts = asQuery(await soql(s.url, "SELECT LastName, (SELECT OpportunityId FROM OpportunityContactRoles) FROM Contact WHERE LastName IN ('Adams', 'Ter%ry') ORDER BY LastName"));
    expect(contacts.records[1].OpportunityContactRoles).toBeNull();
  });

  it('semi-joins and anti-joins on id and reference fields', async () => {
    expect(await lastNames(`SELECT LastName FROM Contact WHERE Id IN (SELECT ContactId FROM OpportunityContactRole WHERE OpportunityId = '${ids.opp2}')`)).toEqual(['Baker']);
    expect(await lastNames('SELECT LastName FROM Contact WHERE Id NOT IN (SELECT ContactId FROM OpportunityContactRole) ORDER BY LastName')).toEqual(['back\\slash', "O'Brien", 'Ter%ry']);
    const r = await soql(s.url, "SELECT Id FROM Contact WHERE LastName = 'x' OR Id IN (SELECT ContactId FROM OpportunityContactRole)");
    expect(firstError(r).errorCode).toBe('MALFORMED_QUERY');
    expect(firstError(await soql(s.url, 'SELECT Id FROM Contact WHERE Id IN (SELECT Role FROM OpportunityContactRole)')).errorCode).toBe('MALFORMED_QUERY');
  });

  it('counts with COUNT() and aggregates with aliases and GROUP BY', async () => {
    expect(asQuery(await soql(s.url, 'SELECT COUNT() FROM Contact WHERE AccountId != null'))).toEqual({ totalSize: 3, done: true, records: [] });
    const agg = asQuery(await soql(s.url, 'SELECT COUNT(Id) n, MAX(Amount) FROM Opportunity'));
    expect(agg.records).toEqual([{ attributes: { type: 'AggregateResult' }, n: 2, expr0: 1000 }]);
    const grouped = asQuery(await soql(s.url, 'SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName ORDER BY StageName'));
    expect(grouped.records.map((x) => [x.StageName, x.expr0])).toEqual([['Closed Won', 1], ['Prospecting', 1]]);
    expect(firstError(await soql(s.url, 'SELECT Id, COUNT() FROM Contact')).errorCode).toBe('MALFORMED_QUERY');
  });

  it('converts currency in SELECT, and compares ISO-prefixed amounts in each record’s currency', async () => {
    const r = asQuery(await soql(s.url, 'SELECT Name, Amount, CurrencyIsoCode, convertCurrency(Amount) usd FROM Opportunity ORDER BY Name'));
    expect(r.records.map((x) => [x.Name, x.Amount, x.CurrencyIsoCode, x.usd])).toEqual([['Big', 1000, 'EUR', 2000], ['Small', 100, 'USD', 100]]);
    // EUR1000 is worth USD2000: more than USD1500, less than USD2500.
    expect(asQuery(await soql(s.url, 'SELECT Name FROM Opportunity WHERE Amount > USD1500')).records.map((x) => x.Name)).toEqual(['Big']);
    expect(asQuery(await soql(s.url, 'SELECT Name FROM Opportunity WHERE Amount > USD2500')).records).toEqual([]);
    expect(asQuery(await soql(s.url, 'SELECT Name FROM Opportunity WHERE Amount > 500')).records.map((x) => x.Name)).toEqual(['Big']);
  });

  it('reports unknown objects, fields and relationships as Salesforce does', async () => {
    const type = await soql(s.url, 'SELECT Id FROM Contactz');
    expect(firstError(type).errorCode).toBe('INVALID_TYPE');
    expect(firstError(type).message).toContain("sObject type 'Contactz' is not supported.");
    const field = await soql(s.url, 'SELECT Id, Foo FROM Contact');
    expect(firstError(field)).toEqual({ errorCode: 'INVALID_FIELD', message: expect.stringContaining("No such column 'Foo' on entity 'Contact'. If you are attempting to use a custom field, be sure to append the '__c'") as unknown });
    expect(firstError(field).message).toContain('ERROR at Row:1:Column:12');
    expect(firstError(await soql(s.url, 'SELECT Owner2.Name FROM Contact')).message).toContain("Didn't understand relationship 'Owner2'");
    expect(firstError(await soql(s.url, 'SELECT Id FROM Contact ORDER BY Description')).errorCode).toBe('INVALID_FIELD');
    expect(firstError(await soql(s.url, 'SELECT Id Contact')).errorCode).toBe('MALFORMED_QUERY');
    expect(firstError(await soql(s.url, 'SELECT Id, Id FROM Contact')).message).toContain('duplicate field selected: Id');
  });
});
