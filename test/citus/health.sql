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
