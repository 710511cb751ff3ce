-- The demo report: what the sample dataset holds.
\echo
\echo '=============================================================================='
\echo ' b2bmetrics demo: a B2B SaaS company, 2023-01-01 to 2026-01-01 (sample data)'
\echo '=============================================================================='
SELECT (SELECT count(*) FROM accounts) AS accounts,
       (SELECT count(*) FROM users) AS users,
       (SELECT count(*) FROM events) AS events,
       (SELECT count(*) FROM subscriptions) AS subscriptions,
       (SELECT count(*) FROM subscriptions WHERE ended_at IS NULL AND mrr > 0) AS active_paid_subscriptions;
