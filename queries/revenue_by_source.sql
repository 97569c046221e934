-- Revenue per period by source (stream), with the partner's portion of each stream split out. Unattributed is the part of total revenue the filing did not split by source.
-- @param company VARCHAR = 'Weibo'  -- company to analyse
-- @param partner VARCHAR = 'Alibaba'  -- partner whose portion is split out ('' for none)
-- @param period_kind VARCHAR = 'quarter'  -- quarter or year
-- @param from_period VARCHAR = NULL  -- first period shown, e.g. 2013Q1
-- @param to_period VARCHAR = NULL  -- last period shown, e.g. 2016Q4
WITH members AS (
    SELECT counterparty FROM counterparties
    WHERE company = $company AND counterparty_group IN (
        SELECT counterparty_group FROM counterparties
        WHERE company = $company AND (counterparty = $partner OR counterparty_group = $partner))
)
SELECT r.company, r.period, r.period_kind, r.period_start, r.period_end, r.currency, r.stream,
       CASE WHEN r.counterparty IN (SELECT counterparty FROM members) THEN $partner
            ELSE 'rest' END AS portion,
       sum(r.amount) AS amount,
       any_value(p.total_revenue) AS total_revenue,
       sum(r.amount) / any_value(p.total_revenue) AS share_of_total,
       bool_or(r.derived) AS derived,
       string_agg(DISTINCT r.source, ' | ' ORDER BY r.source) AS source
FROM revenue r
JOIN period_revenue p ON p.company = r.company AND p.period = r.period
WHERE r.company = $company AND r.period_kind = $period_kind
  AND ($from_period IS NULL OR r.period_start >= period_start_of($from_period))
  AND ($to_period IS NULL OR r.period_end <= period_end_of($to_period))
GROUP BY ALL
ORDER BY r.period_start, r.stream, portion
