module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  logger: { updates: { enabled: false }, startup: { enabled: false } },
  app: { keys: env.array('APP_KEYS', ['veneer-test-key-a', 'veneer-test-key-b']) },
});
