-- sessions on Citus: events distributed by account_id (tools/citus-test.sh, format in docs/citus.md).
-- sessions_agg and sessions_rollup keep the visitor's events (internal states): a visitor's
-- events live on its account's shard, so grouped by account_id and visitor they run whole on
-- the workers; the flat accessors' sums over visitors combine as Citus's own partial sums.

-- @case sessions_per_visitor pushdown sessions_agg
SELECT account_id, visitor_id, session_count(s), bounce_count(s), engaged_count(s), total_duration(s)
FROM (SELECT account_id, visitor_id, sessions_agg(ts, CASE WHEN event = 'page_view' THEN page END, '30 minutes') AS s
      FROM events GROUP BY account_id, visitor_id) v

-- @case sessions_rows_per_visitor pushdown sessions_agg
SELECT account_id, visitor_id, r.*
FROM (SELECT account_id, visitor_id, sessions_agg(ts, CASE WHEN event = 'page_view' THEN page END) AS s
      FROM events GROUP BY account_id, visitor_id) v, session_rows(v.s) r

-- @case sessions_pages_per_account pushdown sessions_agg
SELECT account_id, p.page, sum(p.views) AS views, sum(p.entries) AS entries, sum(p.bounces) AS bounces,
       sum(p.time_on_page_total) AS time_on_page, sum(p.timed_views) AS timed_views
FROM (SELECT account_id, visitor_id, sessions_agg(ts, CASE WHEN event = 'page_view' THEN page END) AS s
      FROM events GROUP BY account_id, visitor_id) v, page_stats(v.s) p
GROUP BY account_id, p.page

-- @case sessions_rollup_per_visitor pushdown sessions_rollup
SELECT account_id, visitor_id, session_count(sessions_rollup(s))
FROM (SELECT account_id, visitor_id, ts::date AS day, sessions_agg(ts, page) AS s
      FROM events GROUP BY account_id, visitor_id, ts::date) d
GROUP BY account_id, visitor_id
