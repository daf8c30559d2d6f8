// The fixed ids of sampleWorld(). Written out literally (not generated) because the files in
// samples/ and the tests reference them, and a person reading a results file should be able to
// find a row's customer here by searching for its id.

const NORTHWIND = 'fe8b4ca6-ad18-4084-a94d-a495b7836b66';
const TAILSPIN = '96ffb3f8-659a-47e0-90be-99881c1c6446';
/** A partner outside our CSP: it manages one of Wingtip's subscriptions, which we may not touch. */
const OTHER_RESELLER = 'afe687c1-0f9b-40fb-97b7-2788f9eb1cd8';

const WINGTIP = 'a7239d97-f04e-40ec-b4a0-de678b8de04f';
const WINGTIP_BUSINESS_CENTRAL = '34c3f595-fba8-4475-b066-2c3078788653';

/**
 * The customers, subscriptions and resellers of sampleWorld(), by readable names.
 * Every customer has a CSP relationship (resellerId null); `resellers` lists the resellers that
 * also have one. `forbidden` is a real subscription managed by another partner (403), and
 * `unknown` holds well-formed ids that exist nowhere (404).
 */
export const SAMPLE_WORLD = {
  resellers: {
    northwind: { id: NORTHWIND, name: 'Northwind Traders' },
    tailspin: { id: TAILSPIN, name: 'Tailspin Toys' },
    otherPartner: { id: OTHER_RESELLER, name: 'Proseware Partners (not ours)' },
  },
  customers: {
    contoso: {
      id: '936d7ec9-6070-4ae5-a8f4-9e72b88f7ca0',
      name: 'Contoso Ltd',
      resellers: [NORTHWIND],
      subscriptions: {
        microsoft365E3: 'e29d53a5-22fe-44f2-9cf4-2bee896f4a7c',
        azurePlan: '1f2d7990-aa10-443d-8396-afc3675be42e',
        teamsEssentials: 'a4f4de17-b9fa-4207-b3bc-8f67fc3f85cd',
      },
    },
    fabrikam: {
      id: 'f1b79f0b-719e-46f9-9ba3-a2d2256d9c79',
      name: 'Fabrikam GmbH',
      resellers: [NORTHWIND, TAILSPIN],
      subscriptions: {
        microsoft365BusinessPremium: 'dfd4b40a-213e-4583-a093-b1cb489ed570',
        dynamics365Sales: '71b9adff-751d-447e-a43e-9ff2dc529008',
      },
    },
    adatum: {
      id: 'f85eef04-5f2a-4bc4-9331-4ca231fad655',
      name: 'Adatum Corporation',
      resellers: [],
      subscriptions: {
        microsoft365E5: '94d7690a-024c-47d4-9056-6ff65aa95c7d',
        powerBiPro: '28265946-ca8e-48c1-8aaf-52b048bb7f58',
        azurePlan: 'b68a60bd-03bc-463e-aadf-359b24163f6b',
        visioPlan2: '12416259-40ba-4244-b0e5-bead97c86096',
      },
    },
    litware: {
      id: 'acf6bf71-7109-4909-8ced-e63b76cea0ea',
      name: 'Litware Inc.',
      resellers: [TAILSPIN],
      subscriptions: {
        exchangeOnlinePlan1: '6c8266a2-143a-41f4-b12b-e10489256625',
      },
    },
    woodgrove: {
      id: '531449a0-1cae-4c1b-bd70-c581859bf4f6',
      name: 'Woodgrove Bank',
      resellers: [],
      subscriptions: {
        microsoft365E3: '2d7bc907-cbe3-4c70-ab8e-b2b56188df51',
        defenderForEndpointP2: '7832b659-607a-4f08-b754-550f4ae3e254',
      },
    },
    wingtip: {
      id: WINGTIP,
      name: 'Wingtip Toys',
      resellers: [],
      subscriptions: {
        microsoft365BusinessBasic: '5578d292-0423-4ef6-8e05-f3594b1f926b',
        businessCentral: WINGTIP_BUSINESS_CENTRAL,
      },
    },
  },
  /** Wingtip's Business Central subscription is managed by another partner: PATCHing its PO number answers 403. */
  forbidden: { customerId: WINGTIP, subscriptionId: WINGTIP_BUSINESS_CENTRAL, managedBy: OTHER_RESELLER },
  /** Well-formed ids that match nothing in the sample world: 404. */
  unknown: {
    customerId: 'f4282be1-d251-47bc-ab9d-6e91ce3a0f4c',
    subscriptionId: '28ae10db-f803-4e69-a813-7abbeff3134e',
    resellerId: 'f9ce8560-0065-4183-ae7f-54a705b092ce',
  },
} as const;
