-- Related-party share of each stream per period: revenue from related parties and strategic partners over the stream's revenue. NULL where part of the stream is not attributed to either side.
-- @param company VARCHAR = DEFAULT_COMPANY  -- company to analyse
-- @param period_kind VARCHAR = 'year' in (quarter, half, year)  -- quarter, half or year
-- @param basis VARCHAR = NULL  -- show every period on this accounting basis (e.g. ASC 605); default: each period's latest publication
-- @param as_of DATE = NULL  -- only figures published on or before this date (point in time)
SELECT r.company, r.period, r.period_kind, r.period_start, r.stream, any_value(r.currency) AS currency,
       any_value(r.basis) AS basis,
       sum(r.amount) FILTER (WHERE c.counterparty_class IN (related_party_class(),
                                                            strategic_partner_class()))
           AS related_party_revenue,
       sum(r.amount) FILTER (WHERE c.counterparty_class = third_party_class())
           AS third_party_revenue,
       any_value(s.stream_revenue) AS stream_revenue,
       CASE WHEN NOT bool_or(c.counterparty_class = mixed_class()) THEN
           coalesce(sum(r.amount) FILTER (WHERE c.counterparty_class IN
                    (related_party_class(), strategic_partner_class())), 0)
           / any_value(s.stream_revenue)
       END AS related_party_share,
       string_agg(DISTINCT r.source, ' | ' ORDER BY r.source) AS source
FROM revenue_of($company) r
JOIN counterparties_of($company) c ON c.counterparty = r.counterparty
     AND in_force(c.valid_from, c.valid_to, r.period_end)
LEFT JOIN stream_revenue($company) s ON s.period = r.period AND s.stream = r.stream
WHERE r.company = $company AND r.period_kind = $period_kind AND r.stream <> unattributed_stream()
GROUP BY r.company, r.period, r.period_kind, r.period_start, r.stream
ORDER BY r.period_start, r.stream
