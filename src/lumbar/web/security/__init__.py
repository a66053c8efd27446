"""Production hardening (issue 15): the real client address behind trusted proxies, security headers,
private pages kept out of caches, email from LUMBAR_EMAIL_URL, the password policy, password-reset
throttling, the login-log purge, erasing deleted accounts from the database files, and a friendly 503
when the database cannot be written."""
