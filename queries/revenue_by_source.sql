-- Revenue per period by source (stream), with the partner's portion of each stream split out. Unattributed is the part of total revenue the filing did not split by source. One-off leaves are rows of their own (`one_off`); `partner_is_lower_bound` is true in periods where the partner's portion is a lower bound (a member of its group undisclosed).
-- @param company VARCHAR = DEFAULT_COMPANY  -- company to analyse
-- @param partner VARCHAR = DEFAULT_PARTNER  -- partner whose portion is split out ('' for none)
-- @param period_kind VARCHAR = 'quarter' in (quarter, half, year)  -- quarter, half or year
-- @param from_period PERIOD START = NULL  -- first period shown, e.g. 2013Q1
-- @param to_period PERIOD END = NULL  -- last period shown, e.g. 2016Q4
-- @param basis VARCHAR = NULL  -- show every period on this accounting basis (e.g. ASC 605); default: each period's latest publication
-- @param as_of DATE = NULL  -- only figures published on or before this date (point in time)
SELECT r.company, r.period, r.period_kind, r.period_start, r.period_end, r.currency, r.basis,
       r.stream,
       CASE WHEN r.counterparty IN (SELECT counterparty FROM partner_members($company, $partner) m
                                    WHERE in_force(m.valid_from, m.valid_to, r.period_end))
            THEN $partner
            ELSE 'rest' END AS portion,
       r.one_off,
       coalesce(any_value(pp.partner_revenue_is_lower_bound), false) AS partner_is_lower_bound,
       sum(r.amount) AS amount,
       any_value(p.total_revenue) AS total_revenue,
       sum(r.amount) / any_value(p.total_revenue) AS share_of_total,
       bool_or(r.derived) AS derived,
       string_agg(DISTINCT r.source, ' | ' ORDER BY r.source) AS source
FROM revenue_of($company) r
JOIN period_revenue($company) p ON p.period = r.period
LEFT JOIN partner_periods($company, $partner, $period_kind) pp ON pp.period = r.period
WHERE r.company = $company AND r.period_kind = $period_kind
  AND ($from_period IS NULL OR r.period_start >= $from_period)
  AND ($to_period IS NULL OR r.period_end <= $to_period)
GROUP BY ALL
ORDER BY r.period_start, r.stream, portion
