// The origins allowed to call the API and upload covers from a browser: WEB_ORIGIN, which may name
// several, comma-separated (the local stack allows its page both as localhost and as 127.0.0.1); unset or
// empty, the local default.
module.exports = () =>
  (process.env.WEB_ORIGIN || 'http://localhost:3000')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
