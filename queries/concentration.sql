-- Customer concentration per period: top-N share, HHI (0-10000), effective number of counterparties, and every counterparty group at or over 10% of revenue. Counterparties of one group (the group in force on the period's last day) count as one; pools (third parties, unattributed) count as many small customers, so where a pool that is not third parties exists HHI is a lower bound. Where negative lines (investment losses, refunds) leave a customer's revenue above total revenue, its share exceeds 100% and HHI exceeds 10,000: `hhi_above_scale` says so (the figures are right, the scale is not). One-off leaves (a settlement, a disposal gain) are left out of every share and of its denominator unless `include_one_offs` is true; `one_offs_excluded` says where that changed the figures.
-- @param company VARCHAR = DEFAULT_COMPANY  -- company to analyse
-- @param top_n INTEGER = 1  -- how many of the largest groups the top-N share adds up
-- @param period_kind VARCHAR = 'quarter' in (quarter, half, year)  -- quarter, half or year
-- @param from_period PERIOD START = NULL  -- first period shown, e.g. 2013Q1
-- @param to_period PERIOD END = NULL  -- last period shown, e.g. 2016Q4
-- @param include_one_offs BOOLEAN = false  -- count one-off leaves as revenue (a settlement can make its payer the largest customer for a year)
-- @param basis VARCHAR = NULL  -- show every period on this accounting basis (e.g. ASC 605); default: each period's latest publication
-- @param as_of DATE = NULL  -- only figures published on or before this date (point in time)
WITH groups AS (
    SELECT r.period, c.counterparty_group, sum(r.amount) AS amount
    FROM revenue_of($company) r
    JOIN counterparties_of($company) c ON c.counterparty = r.counterparty
     AND in_force(c.valid_from, c.valid_to, r.period_end)
    WHERE r.company = $company AND r.period_kind = $period_kind AND NOT c.is_pool
      AND ($include_one_offs OR NOT r.one_off)
    GROUP BY ALL
),
shares AS (
    SELECT g.period, g.counterparty_group, g.amount,
           g.amount / CASE WHEN $include_one_offs THEN p.total_revenue
                           ELSE p.total_revenue_excl_one_offs END AS share,
           row_number() OVER (PARTITION BY g.period ORDER BY g.amount DESC) AS rank
    FROM groups g
    JOIN period_revenue($company) p ON p.period = g.period
),
pools AS (
    SELECT r.period, bool_or(c.counterparty_class <> third_party_class()) AS has_unsplit_pool
    FROM revenue_of($company) r
    JOIN counterparties_of($company) c ON c.counterparty = r.counterparty
     AND in_force(c.valid_from, c.valid_to, r.period_end)
    WHERE r.company = $company AND c.is_pool
    GROUP BY r.period
)
SELECT s.company, s.period, s.period_kind, s.period_start, s.period_end, p.currency, p.basis,
       p.total_revenue,
       arg_min(sh.counterparty_group, sh.rank) AS top_counterparty,
       max(sh.share) AS top_share,
       sum(sh.share) FILTER (WHERE sh.rank <= $top_n) AS top_n_share,
       -- With no named counterparty: 0 when only third parties remain, unknown when a pool
       -- the filing did not split could hide a large one.
       CASE WHEN count(sh.share) > 0 THEN sum(power(100 * sh.share, 2))
            WHEN any_value(p.total_revenue) IS NOT NULL
             AND NOT coalesce(any_value(pl.has_unsplit_pool), false) THEN 0 END AS hhi,
       CASE WHEN count(sh.share) > 0 THEN 10000 / sum(power(100 * sh.share, 2)) END
           AS effective_n,
       CASE WHEN count(sh.share) > 0 THEN bool_or(sh.share >= major_customer_share())
            WHEN any_value(p.total_revenue) IS NOT NULL
             AND NOT coalesce(any_value(pl.has_unsplit_pool), false) THEN false END
           AS has_major_counterparty,
       string_agg(sh.counterparty_group, ', ' ORDER BY sh.share DESC)
           FILTER (WHERE sh.share >= major_customer_share()) AS major_counterparties,
       coalesce(any_value(pl.has_unsplit_pool), false) AS hhi_is_lower_bound,
       coalesce(sum(power(100 * sh.share, 2)) > 10000, false) AS hhi_above_scale,
       coalesce(any_value(p.has_one_off), false) AS has_one_off,
       coalesce(any_value(p.has_one_off), false) AND NOT $include_one_offs AS one_offs_excluded,
       any_value(p.one_off_revenue) AS one_off_revenue,
       any_value(p.one_off_counterparties) AS one_off_counterparties,
       any_value(p.total_source) AS source
FROM period_spine($company, $period_kind) s
LEFT JOIN period_revenue($company) p ON p.period = s.period
LEFT JOIN shares sh ON sh.period = s.period
LEFT JOIN pools pl ON pl.period = s.period
WHERE ($from_period IS NULL OR s.period_start >= $from_period)
  AND ($to_period IS NULL OR s.period_end <= $to_period)
GROUP BY s.company, s.period, s.period_kind, s.period_start, s.period_end, p.currency, p.basis,
         p.total_revenue
ORDER BY s.period_start
