-- health on Citus: events distributed by account_id (tools/citus-test.sh, docs/citus.md).
-- A score per account runs whole on the workers; grouped by anything else, the health_state
-- of each group and shard is computed on the workers and combined on the coordinator.

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

-- Grouped by the channel of the row (not the distribution column): partial states per shard,
-- sent as health_state text, combined on the coordinator.
-- @case health_score_by_channel partial health_score
SELECT channel,
       health_score(ts, event, '2025-09-01',
         '{"signals": {"login": {"weight": 3}, "core_feature": {"weight": 5},
                       "help_view": {"weight": 1, "direction": "down"}}}') AS score
FROM events
GROUP BY channel

-- @case health_score_detail_whole_table partial health_score_detail
SELECT health_score_detail(ts, event, '2025-09-01',
         '{"signals": {"login": {"weight": 3}, "core_feature": {"weight": 5},
                       "help_view": {"weight": 1, "direction": "down"},
                       "support_ticket": {"weight": 1, "direction": "down", "target": 2}}}') AS detail
FROM events

-- A model so small that its states are under 127 bytes (one-byte headers on the way).
-- @case health_score_small_model_by_event partial health_score
SELECT event, health_score(ts, event, '2025-09-01', '{"signals": {"login": {"weight": 1}}}') AS score
FROM events
GROUP BY event

-- The two-step form: the state itself, per channel, combined from every shard.
-- @case health_state_by_channel partial health_state
SELECT channel,
       health_state_score(health_state(ts, event, '2025-09-01',
         '{"signals": {"login": {"weight": 3}, "core_feature": {"weight": 5}}}')) AS score
FROM events
GROUP BY channel
