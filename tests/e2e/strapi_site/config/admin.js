// The admin API (login, webhooks) is used; the admin panel's UI is not built for tests.
module.exports = ({ env }) => ({
  serveAdminPanel: false,
  auth: { secret: env('ADMIN_JWT_SECRET', 'veneer-test-admin-jwt-secret') },
  apiToken: { salt: env('API_TOKEN_SALT', 'veneer-test-api-token-salt') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT', 'veneer-test-transfer-salt') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY', 'veneer-test-encryption-key') },
  flags: { nps: false, promoteEE: false },
});
