-- health on Citus: events distributed by account_id (tools/citus-test.sh, docs/citus.md).
-- A score per account runs whole on the workers.

-- @case health_score_per_account pushdown health_score
SELECT account_id,
       health_score(ts, event, '2025-09-01',
         '{"recent": "30 days", "baseline": "90 days",
           "signals": {"login":          {"weight": 3},
                       "core_feature":   {"weight": 5},
                       "help_view":      {"weight": 1, "direction": "down"},
                       "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}') AS score
FROM events
WHERE account_id <> 0
GROUP BY account_id

-- The detail per account, with a band over the score: both run whole on the workers.
-- @case health_score_detail_per_account pushdown health_score_detail,health_score
SELECT account_id,
       health_score_detail(ts, event, '2025-06-01',
         '{"recent": "30 days", "baseline": "90 days",
           "signals": {"login": {"weight": 3}, "report_created": {"weight": 2},
                       "support_ticket": {"weight": 1, "direction": "down"}}}') AS detail,
       health_band(health_score(ts, event, '2025-06-01',
         '{"recent": "30 days", "baseline": "90 days", "signals": {"login": {"weight": 1}}}')) AS band
FROM events
WHERE account_id <> 0
GROUP BY account_id
