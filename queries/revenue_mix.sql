-- Revenue mix per period by source and counterparty class (third_party, related_party, strategic_partner, mixed), as shares of the period's leaves, for 100% stacked views. A counterparty counts in the class in force on the period's last day (`valid_from`/`valid_to` in counterparties).
-- @param company VARCHAR = DEFAULT_COMPANY  -- company to analyse
-- @param period_kind VARCHAR = 'quarter' in (quarter, half, year)  -- quarter, half or year
-- @param from_period PERIOD START = NULL  -- first period shown, e.g. 2013Q1
-- @param to_period PERIOD END = NULL  -- last period shown, e.g. 2016Q4
-- @param basis VARCHAR = NULL  -- show every period on this accounting basis (e.g. ASC 605); default: each period's latest publication
-- @param as_of DATE = NULL  -- only figures published on or before this date (point in time)
WITH mix AS (
    SELECT r.company, r.period, r.period_kind, r.period_start, r.period_end, r.currency,
           r.basis, r.stream, c.counterparty_class,
           sum(r.amount) AS amount,
           bool_or(r.derived) AS derived,
           string_agg(DISTINCT r.source, ' | ' ORDER BY r.source) AS source
    FROM revenue_of($company) r
    JOIN counterparties_of($company) c ON c.counterparty = r.counterparty
     AND in_force(c.valid_from, c.valid_to, r.period_end)
    WHERE r.company = $company AND r.period_kind = $period_kind
      AND ($from_period IS NULL OR r.period_start >= $from_period)
      AND ($to_period IS NULL OR r.period_end <= $to_period)
    GROUP BY r.company, r.period, r.period_kind, r.period_start, r.period_end, r.currency,
             r.basis, r.stream, c.counterparty_class
)
SELECT company, period, period_kind, period_start, period_end, currency, basis, stream,
       counterparty_class, amount,
       sum(amount) OVER (PARTITION BY period) AS period_leaves_total,
       amount / sum(amount) OVER (PARTITION BY period) AS share_of_period,
       derived, source
FROM mix
ORDER BY period_start, stream, counterparty_class
