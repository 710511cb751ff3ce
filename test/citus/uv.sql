-- uv on Citus: events distributed by account_id (tools/citus-test.sh, format in docs/citus.md).
-- Grouped by anything but account_id, the typed forms run as worker_partial_agg on the workers
-- and coord_combine_agg on the coordinator; grouped by account_id, whole on the workers.

-- @case uv_hll_bigint partial uv_hll
SELECT channel, uv_hll(visitor_id) FROM events GROUP BY channel

-- @case uv_hll_bigint_precision partial uv_hll
SELECT event, uv_hll(visitor_id, 10) FROM events GROUP BY event

-- @case uv_hll_integer partial uv_hll
SELECT channel, uv_hll((visitor_id % 1000000000)::integer), uv_hll((visitor_id % 30000)::smallint)
FROM events GROUP BY channel

-- "char" has no typed transition function: the generic one falls back to the declared type.
-- @case uv_hll_char partial uv_hll
SELECT channel, uv_hll(left(event, 1)::"char"), uv_sketch(left(page, 2)::"char") FROM events GROUP BY channel

-- @case uv_hll_text partial uv_hll
SELECT event, uv_hll(page), uv_hll(visitor_id::text) FROM events GROUP BY event

-- varchar and char(n) resolve to the text form through their implicit casts.
-- @case uv_hll_varchar partial uv_hll
SELECT channel, uv_hll(page::varchar(40)), uv_hll(event::char(20)) FROM events GROUP BY channel

-- @case uv_hll_uuid partial uv_hll
SELECT date_trunc('year', ts), uv_hll(md5(visitor_id::text)::uuid) FROM events GROUP BY 1

-- @case uv_sketch_bigint partial uv_sketch
SELECT channel, uv_sketch(visitor_id), uv_sketch(user_id, 12) FROM events GROUP BY channel

-- @case uv_sketch_text partial uv_sketch
SELECT event, uv_count(uv_sketch(utm_campaign)) FROM events GROUP BY event

-- @case uv_hll_whole_table partial uv_hll
SELECT uv_hll(visitor_id) AS visitors, uv_hll(user_id) AS users FROM events

-- @case uv_hll_by_account pushdown uv_hll
SELECT account_id, uv_hll(visitor_id) FROM events GROUP BY account_id

-- Stored sketches per account and day, rolled up by channel: the inner query runs whole on the
-- workers, the union of sketches (a uvsketch argument) is combined like any other partial.
-- @case uv_hll_uvsketch partial uv_hll
SELECT channel, uv_hll(s)
FROM (SELECT account_id, channel, date_trunc('day', ts) AS day, uv_sketch(visitor_id) AS s
      FROM events GROUP BY account_id, channel, day) daily
GROUP BY channel

-- @case uv_sketch_uvsketch partial uv_sketch
SELECT date_trunc('month', day), uv_sketch(s)
FROM (SELECT account_id, date_trunc('day', ts) AS day, uv_sketch(visitor_id) AS s
      FROM events GROUP BY account_id, day) daily
GROUP BY 1
