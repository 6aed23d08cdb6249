'use strict';

// Seeds the test site once: an admin, two content-API tokens with known keys, a French locale,
// 30 products (more than one page) and three articles (one translated, one never published).
// Variants are seeded only when `veneer plugin install strapi` has added the component.

const TOKEN_NAME = 'veneer';
const TOKEN_PERMISSIONS = [
  'api::article.article.find',
  'api::article.article.findOne',
  'api::product.product.find',
  'api::product.product.findOne',
  'plugin::content-type-builder.content-types.getContentTypes',
];

function hasVariants(strapi, uid) {
  return Boolean(strapi.contentType(uid).attributes.variants);
}

async function seedAdmin(strapi) {
  const email = process.env.SEED_ADMIN_EMAIL;
  if (!email || (await strapi.service('admin::user').exists())) return;
  await strapi.service('admin::user').createFirstAdmin({
    email,
    firstname: 'Test',
    lastname: 'Editor',
    password: process.env.SEED_ADMIN_PASSWORD,
  });
}

// Tokens are created with a known key (the admin would show a random one once).
async function createToken(strapi, name, type, key) {
  const tokens = strapi.db.query('admin::api-token');
  if (!key || (await tokens.findOne({ where: { name } }))) return null;
  const service = strapi.service('admin::api-token-content-api');
  return tokens.create({
    data: {
      name,
      description: `Veneer (${type})`,
      type,
      kind: 'content-api',
      accessKey: service.hash(key),
      encryptedKey: strapi.service('admin::encryption').encrypt(key),
      lifespan: null,
      expiresAt: null,
    },
  });
}

async function seedTokens(strapi) {
  await createToken(strapi, 'veneer-read-only', 'read-only', process.env.SEED_READONLY_TOKEN);
  const token = await createToken(strapi, TOKEN_NAME, 'custom', process.env.SEED_API_TOKEN);
  if (!token) return;
  for (const action of TOKEN_PERMISSIONS) {
    await strapi.db.query('admin::api-token-permission').create({ data: { action, token } });
  }
}

async function seedContent(strapi) {
  const products = strapi.documents('api::product.product');
  if ((await products.count({})) > 0) return;
  await strapi.plugin('i18n').service('locales').create({ code: 'fr', name: 'French (fr)' });
  for (let n = 1; n <= 30; n += 1) {
    const number = String(n).padStart(2, '0');
    const data = {
      title: `Product ${number}`,
      slug: `product-${number}`,
      price: 10 * n,
      inStock: n % 3 !== 0,
      tags: n % 2 ? ['outdoor'] : ['kitchen'],
    };
    if (n === 2 && hasVariants(strapi, 'api::product.product')) {
      data.variants = [
        {
          key: 'v-campers',
          audience: 'campers',
          priority: 5,
          fields: { title: 'Product 02 for campers' },
        },
      ];
    }
    await products.create({ data, status: 'published' });
  }
  const articles = strapi.documents('api::article.article');
  const notes = await articles.create({
    data: { title: 'Trail notes', slug: 'trail-notes', body: 'Pack **light**.', tags: ['hiking'] },
    locale: 'en',
    status: 'published',
  });
  await articles.update({
    documentId: notes.documentId,
    locale: 'fr',
    data: { title: 'Notes de sentier', slug: 'trail-notes', body: 'Voyagez **léger**.' },
    status: 'published',
  });
  await articles.create({
    data: { title: 'Camp stoves', slug: 'camp-stoves', body: 'Gas or wood?', tags: ['cooking'] },
    locale: 'en',
    status: 'published',
  });
  await articles.create({
    data: { title: 'Unfinished draft', slug: 'unfinished-draft', body: 'Not yet.' },
    locale: 'en',
  });
}

async function seed(strapi) {
  await seedAdmin(strapi);
  await seedTokens(strapi);
  await seedContent(strapi);
}

module.exports = { seed };
